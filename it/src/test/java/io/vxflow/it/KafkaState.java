package io.vxflow.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * What the broker says about transactions and offsets, through Kafka's Admin API: the crash tests'
 * "no transaction left open" and "the job has read everything" checks. Each call opens and closes
 * its own Admin client.
 */
final class KafkaState {
    private static final Set<TransactionState> OPEN = Set.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT,
            TransactionState.PREPARE_ABORT, TransactionState.PREPARE_EPOCH_FENCE, TransactionState.UNKNOWN);

    private KafkaState() {}

    /**
     * Every sign of a transaction left open: a transactional id with {@code prefix} in an open state,
     * and any partition of {@code topic} whose last stable offset is below its high watermark (a
     * read_committed consumer would be stuck there). Empty when none.
     */
    static List<String> openTransactions(String bootstrap, String prefix, String topic, int partitions) {
        List<String> problems = new ArrayList<>();
        try (Admin admin = admin(bootstrap)) {
            for (TransactionListing t : admin.listTransactions().all().get(30, TimeUnit.SECONDS)) {
                if (t.transactionalId().startsWith(prefix) && OPEN.contains(t.state())) {
                    problems.add("transactional id " + t.transactionalId() + " (producer id " + t.producerId() + ") is " + t.state());
                }
            }
            Map<TopicPartition, Long> stable = ends(admin, topic, partitions, IsolationLevel.READ_COMMITTED);
            Map<TopicPartition, Long> high = ends(admin, topic, partitions, IsolationLevel.READ_UNCOMMITTED);
            for (TopicPartition tp : high.keySet()) {
                if (!stable.get(tp).equals(high.get(tp))) {
                    problems.add(tp + ": last stable offset " + stable.get(tp) + " < high watermark " + high.get(tp) + " (a transaction is open)");
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the transactions of " + bootstrap, e);
        }
        return problems;
    }

    /** The high watermark of each partition of {@code topic}. */
    static Map<TopicPartition, Long> endOffsets(String bootstrap, String topic, int partitions) {
        try (Admin admin = admin(bootstrap)) {
            return ends(admin, topic, partitions, IsolationLevel.READ_UNCOMMITTED);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offsets of " + topic, e);
        }
    }

    /**
     * Whether consumer group {@code group} has committed, for every partition of {@code topic}, the
     * topic's end offset: the job's source read every record and a checkpoint covering it completed
     * (the Kafka source commits its offsets when a checkpoint completes).
     */
    static boolean groupCaughtUp(String bootstrap, String group, String topic, int partitions) {
        try (Admin admin = admin(bootstrap)) {
            Map<TopicPartition, Long> end = ends(admin, topic, partitions, IsolationLevel.READ_UNCOMMITTED);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false; // the broker may be restarting: not caught up as far as we know
        }
    }

    private static Map<TopicPartition, Long> ends(Admin admin, String topic, int partitions, IsolationLevel isolation) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int i = 0; i < partitions; i++) {
            request.put(new TopicPartition(topic, i), OffsetSpec.latest());
        }
        Map<TopicPartition, ListOffsetsResultInfo> info = admin.listOffsets(request, new ListOffsetsOptions(isolation)).all().get(30, TimeUnit.SECONDS);
        Map<TopicPartition, Long> out = new HashMap<>();
        info.forEach((tp, i) -> out.put(tp, i.offset()));
        return out;
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(p);
    }
}
