package io.vxflow.connectors.broker;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import kafka.server.BrokerServer;
import kafka.server.ControllerServer;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.server.Server;
import kafka.server.SharedServer;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.server.ServerSocketFactory;
import org.apache.kafka.server.fault.FaultHandlerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * One Kafka node in combined mode: the {@link SharedServer} (Raft manager, metadata loader), the
 * {@link ControllerServer} and the {@link BrokerServer} on top of it. Owns the three and the
 * node's {@link Metrics}.
 *
 * <p>This is what {@code kafka.server.KafkaRaftServer} assembles for {@code kafka-server-start},
 * with two differences: the controller listens on an ephemeral port whose address is handed to
 * the Raft layer once bound (KafkaRaftServer can only take {@code controller.quorum.voters} from
 * the configuration, so it needs a fixed port), and fatal faults are reported instead of halting
 * the JVM (see {@link EmbeddedFaultHandlerFactory}). Kafka's own {@code KafkaClusterTestKit}
 * assembles its nodes the same way.
 */
final class CombinedKraftNode {

    private static final Logger LOG = LoggerFactory.getLogger(CombinedKraftNode.class);

    private final SharedServer shared;
    private final ControllerServer controller;
    private final BrokerServer broker;
    private final EmbeddedFaultHandlerFactory faults;

    private CombinedKraftNode(SharedServer shared, ControllerServer controller, BrokerServer broker,
            EmbeddedFaultHandlerFactory faults) {
        this.shared = shared;
        this.controller = controller;
        this.broker = broker;
        this.faults = faults;
    }

    /** Assembles the node of {@code config} on its formatted storage; starts nothing yet. */
    static CombinedKraftNode create(KafkaConfig config, String controllerHost) {
        Tuple2<MetaPropertiesEnsemble, BootstrapMetadata> storage =
                KafkaRaftServer.initializeLogDirs(config, LOG, "[vxflow broker] ");
        MetaPropertiesEnsemble metaProperties = storage._1();
        Metrics metrics = Server.initializeMetrics(config, Time.SYSTEM, metaProperties.clusterId().get());
        CompletableFuture<Map<Integer, InetSocketAddress>> voters = new CompletableFuture<>();
        EmbeddedFaultHandlerFactory faults = new EmbeddedFaultHandlerFactory();
        SharedServer shared = new SharedServer(config, metaProperties, Time.SYSTEM, metrics, voters,
                List.of(), faults, ServerSocketFactory.INSTANCE);
        ControllerServer controller;
        try {
            controller = new ControllerServer(shared, KafkaRaftServer.configSchema(), storage._2());
        } catch (RuntimeException e) {
            metrics.close();
            throw e;
        }
        completeVotersWhenBound(controller, voters, controllerHost, config.nodeId());
        return new CombinedKraftNode(shared, controller, new BrokerServer(shared), faults);
    }

    /**
     * Starts the controller, then the broker (the order of KafkaRaftServer); returns once the
     * broker is registered, unfenced and serving, with the port its client listener is bound to.
     */
    int start() {
        controller.startup();
        broker.startup();
        FaultHandlerException fault = faults.firstFatalFault();
        if (fault != null) {
            throw fault;
        }
        return broker.boundPort(ListenerName.normalised(EmbeddedBrokerConfig.BROKER_LISTENER));
    }

    /** The cluster id found in (or written to) the node's meta.properties. */
    String clusterId() {
        return shared.clusterId();
    }

    /**
     * Stops the broker first, then the controller (the broker may still need the controller for a
     * controlled shutdown); each stop waits for its threads. Safe to call more than once and
     * after a failed start.
     */
    void shutdown() {
        try {
            broker.shutdown();
            broker.awaitShutdown();
        } finally {
            controller.shutdown();
        }
    }

    private static void completeVotersWhenBound(ControllerServer controller,
            CompletableFuture<Map<Integer, InetSocketAddress>> voters, String host, int nodeId) {
        controller.socketServerFirstBoundPortFuture().whenComplete((port, failure) -> {
            if (failure != null) {
                voters.completeExceptionally(failure);
            } else {
                voters.complete(Map.of(nodeId, new InetSocketAddress(host, port)));
            }
        });
    }
}
