package io.vxflow.connectors.broker;

import java.util.concurrent.atomic.AtomicReference;

import kafka.server.FaultHandlerFactory;
import org.apache.kafka.server.fault.FaultHandler;
import org.apache.kafka.server.fault.FaultHandlerException;
import org.apache.kafka.server.fault.LoggingFaultHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the fault handlers of the embedded node and remembers its first fatal fault.
 *
 * <p>A standalone Kafka server halts the JVM on a fatal fault ({@code ProcessTerminatingFaultHandler}),
 * which includes failing to start, for example on a port that is taken. Embedded in vxflow that
 * would kill the Flink job or the command line with it, so a fatal fault is logged, remembered
 * and returned to Kafka as an exception instead; the caller of {@code start()} sees it as a
 * {@link BrokerStartException}.
 */
final class EmbeddedFaultHandlerFactory implements FaultHandlerFactory {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedFaultHandlerFactory.class);

    private final AtomicReference<FaultHandlerException> firstFatalFault = new AtomicReference<>();

    @Override
    public FaultHandler build(String name, boolean fatal, Runnable action) {
        return fatal ? (message, cause) -> onFatalFault(name, message, cause, action)
                : new LoggingFaultHandler(name, action);
    }

    /** The first fatal fault of the node, or null while there has been none. */
    FaultHandlerException firstFatalFault() {
        return firstFatalFault.get();
    }

    private RuntimeException onFatalFault(String name, String message, Throwable cause, Runnable action) {
        LOG.error("Fatal fault in the embedded Kafka broker ({}): {}", name, message, cause);
        FaultHandlerException fault = new FaultHandlerException(name + ": " + message, cause);
        firstFatalFault.compareAndSet(null, fault);
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.error("The action of fault handler {} failed", name, e);
        }
        return fault;
    }
}
