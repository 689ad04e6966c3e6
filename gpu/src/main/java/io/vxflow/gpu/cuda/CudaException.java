package io.vxflow.gpu.cuda;

/** A CUDA driver, NVRTC or TensorRT call that failed, with the call and the error's name. */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int code;

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The CUresult (or NVRTC result) code; 2 is CUDA_ERROR_OUT_OF_MEMORY. */
    public int code() {
        return code;
    }

    public boolean isOutOfMemory() {
        return code == 2;
    }
}
