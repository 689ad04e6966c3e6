package io.vxflow.gpu.decode;

/**
 * A parameter set that cannot be read: truncated, out of range, or not what its NAL unit type says.
 * It carries no stack trace: it is expected input, and a hostile producer can send many.
 */
public final class MalformedParameterSetException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedParameterSetException(String message) {
        super(message, null, false, false);
    }
}
