package io.vxflow.gpu.infer;

/** A model vxflow cannot use, with a message that names the model and says what to fix. */
public final class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
