package io.vxflow.gpu.trt;

/**
 * The TensorRT libraries vxflow was pointed at, or the ones it loaded, cannot be used: a missing
 * folder or library, a major version other than 10, a release older than the bindings, or a copy
 * loaded from somewhere else than asked. A mistake the user can fix; the message says how.
 */
public final class TensorRtLibraryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TensorRtLibraryException(String message) {
        super(message);
    }
}
