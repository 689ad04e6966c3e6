package io.vxflow.connectors.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server properties of the single combined (broker + controller) KRaft node: what a
 * {@code server.properties} for a one-node development cluster would hold, tuned for what the
 * vxflow job needs. Owns nothing but the map it builds.
 *
 * <p>Why these values:
 * <ul>
 *   <li>Every internal topic (consumer offsets, transaction state, share-group state) gets
 *       replication factor 1 and min ISR 1: with the defaults (3 and 2) Flink's exactly-once
 *       {@code KafkaSink} cannot even initialise its transactional producers on one node.</li>
 *   <li>{@code transaction.max.timeout.ms} is above Flink's default transaction timeout of one
 *       hour; the broker default (15 minutes) makes {@code InitProducerId} fail.</li>
 *   <li>Records of {@value #MAX_MESSAGE_BYTES} bytes are accepted and replicated: a 1080p
 *       keyframe is about 1 MB, a 4K one several.</li>
 *   <li>Internal topics get few partitions, so that the first transaction or consumer group does
 *       not wait for 50 partitions to be created.</li>
 * </ul>
 */
final class EmbeddedBrokerConfig {

    /** The node id of the one node; it is both the only broker and the only voter. */
    static final int NODE_ID = 1;
    static final String BROKER_LISTENER = "BROKER";
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Largest record batch the broker accepts (and replicates, and serves to consumers). */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
    /** Above Flink's default KafkaSink transaction timeout (1 h), with room to raise that. */
    static final Duration MAX_TRANSACTION_TIMEOUT = Duration.ofHours(2);
    private static final int INTERNAL_TOPIC_PARTITIONS = 5;

    /** What makes the node a one-node combined cluster at a known address and directory. */
    static final Set<String> FIXED_PROPERTIES = Set.of("process.roles", "node.id", "listeners",
            "advertised.listeners", "listener.security.protocol.map", "inter.broker.listener.name",
            "controller.listener.names", "controller.quorum.voters", "controller.quorum.bootstrap.servers",
            "log.dirs", "log.dir", "metadata.log.dir");

    private EmbeddedBrokerConfig() {}

    /**
     * The properties of a node listening for clients on {@code host:port} (port 0: any free
     * port), secured as {@code security} says (the controller's own listener stays plaintext on
     * the same host), and keeping all its data, metadata log included, in {@code dataDirectory}.
     * {@code overrides} win over every value chosen here. Values are strings, as in a
     * {@code server.properties} file (typed values must match Kafka's types exactly).
     */
    static Map<String, String> serverProperties(
            String host, int port, Path dataDirectory, ListenerSecurity security, Map<String, String> overrides) {
        Map<String, Object> props = new LinkedHashMap<>();
        putNodeAndListeners(props, host, port, security.securityProtocol());
        props.putAll(security.serverProperties(BROKER_LISTENER));
        putStorage(props, dataDirectory);
        putSingleNodeReplication(props);
        putLargeMessages(props);
        putTransactionsAndGroups(props);
        Map<String, String> asText = new LinkedHashMap<>();
        props.forEach((key, value) -> asText.put(key, String.valueOf(value)));
        asText.putAll(overrides);
        return asText;
    }

    private static void putNodeAndListeners(Map<String, Object> props, String host, int port, String clientProtocol) {
        props.put("process.roles", "broker,controller");
        props.put("node.id", NODE_ID);
        props.put("listeners", BROKER_LISTENER + "://" + host + ":" + port + ","
                + CONTROLLER_LISTENER + "://" + host + ":0");
        props.put("advertised.listeners", BROKER_LISTENER + "://" + host + ":" + port);
        props.put("listener.security.protocol.map",
                BROKER_LISTENER + ":" + clientProtocol + "," + CONTROLLER_LISTENER + ":PLAINTEXT");
        props.put("inter.broker.listener.name", BROKER_LISTENER);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        // A static quorum of one voter. The port is a placeholder: the controller binds an
        // ephemeral port and the node is handed the real address once it is known.
        props.put("controller.quorum.voters", NODE_ID + "@" + host + ":0");
        // Unfencing waits for a broker heartbeat; the default 2 s interval is most of startup.
        props.put("broker.heartbeat.interval.ms", 500);
        // Fail instead of hanging for ever when the node cannot come up.
        props.put("server.max.startup.time.ms", 60_000);
    }

    private static void putStorage(Map<String, Object> props, Path dataDirectory) {
        props.put("log.dirs", dataDirectory.toString());
        props.put("metadata.log.dir", dataDirectory.toString());
        // One node, small machines: keep the log cleaner's dedupe buffer small (default 128 MiB).
        props.put("log.cleaner.dedupe.buffer.size", 8 * 1024 * 1024);
    }

    private static void putSingleNodeReplication(Map<String, Object> props) {
        props.put("default.replication.factor", 1);
        props.put("min.insync.replicas", 1);
        props.put("num.partitions", 1);
        props.put("auto.create.topics.enable", true);
        props.put("offsets.topic.replication.factor", 1);
        props.put("offsets.topic.num.partitions", INTERNAL_TOPIC_PARTITIONS);
        props.put("transaction.state.log.replication.factor", 1);
        props.put("transaction.state.log.min.isr", 1);
        props.put("transaction.state.log.num.partitions", INTERNAL_TOPIC_PARTITIONS);
        props.put("share.coordinator.state.topic.replication.factor", 1);
        props.put("share.coordinator.state.topic.min.isr", 1);
        props.put("share.coordinator.state.topic.num.partitions", INTERNAL_TOPIC_PARTITIONS);
    }

    private static void putLargeMessages(Map<String, Object> props) {
        props.put("message.max.bytes", MAX_MESSAGE_BYTES);
        props.put("replica.fetch.max.bytes", MAX_MESSAGE_BYTES);
        props.put("replica.fetch.response.max.bytes", 2 * MAX_MESSAGE_BYTES);
    }

    private static void putTransactionsAndGroups(Map<String, Object> props) {
        props.put("transaction.max.timeout.ms", (int) MAX_TRANSACTION_TIMEOUT.toMillis());
        props.put("group.initial.rebalance.delay.ms", 0);
    }
}
