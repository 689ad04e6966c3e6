package io.vxflow.connectors.broker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import kafka.server.KafkaConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.properties.MetaProperties;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KRaft storage of one node in one data directory: formats it the way
 * {@code kafka-storage format --cluster-id <random> --config server.properties} does for a node
 * with a static controller quorum ({@code meta.properties} and the bootstrap metadata checkpoint),
 * unless it already holds a formatted node. Owns nothing; the directory belongs to the broker.
 */
final class KraftStorage {

    private static final Logger LOG = LoggerFactory.getLogger(KraftStorage.class);

    private KraftStorage() {}

    /**
     * Formats {@code directory} for the node of {@code config} if it is not formatted yet.
     *
     * @return the cluster id the directory belongs to, new or found
     * @throws BrokerStartException if the directory cannot be read or formatted, or holds
     *     another node's data
     */
    static String formatIfNeeded(Path directory, KafkaConfig config) {
        Optional<MetaProperties> existing = readMetaProperties(directory);
        if (existing.isPresent()) {
            return reuse(directory, existing.get());
        }
        return format(directory, config);
    }

    private static Optional<MetaProperties> readMetaProperties(Path directory) {
        String dir = directory.toString();
        MetaPropertiesEnsemble ensemble;
        try {
            ensemble = new MetaPropertiesEnsemble.Loader()
                    .addMetadataLogDir(dir)
                    .addLogDirs(List.of(dir))
                    .load();
        } catch (IOException e) {
            throw new BrokerStartException("Cannot read the Kafka data directory " + dir, e);
        }
        if (ensemble.errorLogDirs().contains(dir)) {
            throw new BrokerStartException("The Kafka data directory " + dir
                    + " is not readable, or its meta.properties is corrupt");
        }
        return Optional.ofNullable(ensemble.logDirProps().get(dir));
    }

    private static String reuse(Path directory, MetaProperties meta) {
        if (meta.nodeId().orElse(-1) != EmbeddedBrokerConfig.NODE_ID || meta.clusterId().isEmpty()) {
            throw new BrokerStartException("The Kafka data directory " + directory + " belongs to node "
                    + meta.nodeId() + " of cluster " + meta.clusterId() + ", not to a vxflow broker (node "
                    + EmbeddedBrokerConfig.NODE_ID + "); use an empty directory");
        }
        LOG.info("Reusing KRaft storage of cluster {} in {}", meta.clusterId().get(), directory);
        return meta.clusterId().get();
    }

    private static String format(Path directory, KafkaConfig config) {
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(formatterOutput, true, StandardCharsets.UTF_8))
                .setNodeId(config.nodeId())
                .setClusterId(clusterId)
                .setUnstableFeatureVersionsEnabled(config.unstableFeatureVersionsEnabled())
                .setIgnoreFormatted(false)
                .setControllerListenerName(config.controllerListenerNames().get(0))
                .setMetadataLogDirectory(config.metadataLogDir())
                // Static voters (controller.quorum.voters): no KIP-853 initial controllers.
                .setHasDynamicQuorum(false)
                .addDirectory(directory.toString());
        try {
            formatter.run();
        } catch (Exception e) {
            throw new BrokerStartException("Cannot format the Kafka data directory " + directory
                    + " for KRaft: " + e.getMessage(), e);
        }
        LOG.info("Formatted KRaft storage of new cluster {} in {}", clusterId, directory);
        LOG.debug("kafka-storage format said: {}", formatterOutput.toString(StandardCharsets.UTF_8).trim());
        return clusterId;
    }
}
