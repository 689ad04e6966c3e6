package io.vxflow.connectors.broker;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Creates topics on the embedded broker through an {@link Admin} client of its own, opened and
 * closed per call, and waits until every partition has a leader, so that a producer started
 * right after finds the topic ready. Owns nothing between calls.
 */
final class BrokerTopics {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 20;

    private BrokerTopics() {}

    /**
     * @param clientProperties what the admin client needs to connect (security settings)
     * @return true if the topic was created, false if it existed already
     */
    static boolean create(String bootstrapServers, Map<String, String> clientProperties, String name, int partitions) {
        Map<String, Object> config = new HashMap<>(clientProperties);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "vxflow-broker-topics");
        try (Admin admin = Admin.create(config)) {
            boolean created = createIfAbsent(admin, name, partitions);
            awaitLeaders(admin, name);
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot create topic '" + name + "' with " + partitions
                    + " partitions on " + bootstrapServers + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Topic '" + name + "' on " + bootstrapServers
                    + " has no leader for every partition after " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic '" + name + "'", e);
        }
    }

    private static boolean createIfAbsent(Admin admin, String name, int partitions)
            throws ExecutionException, InterruptedException, TimeoutException {
        NewTopic topic = new NewTopic(name, partitions, (short) 1);
        try {
            admin.createTopics(List.of(topic)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw e;
        }
    }

    private static void awaitLeaders(Admin admin, String name)
            throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!allPartitionsLed(admin, name)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("no leader for some partitions of " + name);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static boolean allPartitionsLed(Admin admin, String name)
            throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription description;
        try {
            description = admin.describeTopics(List.of(name)).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(name);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false; // created on the controller, not yet in the broker's metadata
            }
            throw e;
        }
        return description.partitions().stream().map(TopicPartitionInfo::leader)
                .allMatch(leader -> leader != null && !leader.isEmpty());
    }
}
