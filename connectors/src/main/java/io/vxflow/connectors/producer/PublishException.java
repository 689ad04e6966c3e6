package io.vxflow.connectors.producer;

/**
 * Publishing to Kafka failed: the broker is unreachable (named by its bootstrap address), a record
 * was refused, or delivery timed out. The message is one line meant for the person running the
 * producer; the Kafka exception, if any, is the cause.
 */
public final class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
