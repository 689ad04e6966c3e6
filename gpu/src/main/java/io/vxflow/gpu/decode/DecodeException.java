package io.vxflow.gpu.decode;

import io.vxflow.codec.DecodeError;

/** An access unit that could not be decoded, with the reason the stream counts it under. */
public final class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;
    private final DecodeError error;

    public DecodeException(DecodeError error, String message) {
        super(message);
        this.error = error;
    }

    public DecodeError error() {
        return error;
    }
}
