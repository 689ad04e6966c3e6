package io.vxflow.gpu.trt;

/**
 * Element types of a TensorRT engine's input and output tensors, as vxflow uses them: linear
 * (row-major, NCHW for images) and dense. Limited to the two types vxflow feeds and reads.
 */
public enum TensorDataType {
    /** IEEE 754 binary32. */
    FLOAT32(4),
    /** IEEE 754 binary16. */
    FLOAT16(2);

    private final int bytes;

    TensorDataType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }
}
