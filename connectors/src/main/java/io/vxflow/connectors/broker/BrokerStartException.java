package io.vxflow.connectors.broker;

/**
 * Thrown when the embedded Kafka broker cannot start: its port is taken, its data directory
 * cannot be formatted or belongs to another node, or Kafka failed while starting. The message
 * says which, and what to change.
 */
public final class BrokerStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BrokerStartException(String message) {
        super(message);
    }

    BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
