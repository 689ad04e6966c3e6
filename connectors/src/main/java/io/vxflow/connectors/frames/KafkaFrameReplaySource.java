package io.vxflow.connectors.frames;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@link FrameReplaySource} on a Kafka consumer of its own: no group, no committed offsets, partitions
 * assigned per read. It reads with the same client properties as the job's source (security settings
 * included), so whatever the source may read, this may read again.
 */
public final class KafkaFrameReplaySource implements FrameReplaySource {
    /** How long a read waits for a record it knows exists before giving up. */
    private static final Duration STALL = Duration.ofSeconds(30);
    private final String topic;
    private final KafkaConsumer<byte[], byte[]> consumer;

    private KafkaFrameReplaySource(String topic, Map<String, String> properties) {
        this.topic = topic;
        Properties p = new Properties();
        p.putAll(properties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "vxflow-replay-" + topic);
        this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * A factory for the frames topic {@code topic}.
     *
     * @param properties Kafka client properties, at least {@code bootstrap.servers}
     */
    public static Factory factory(String topic, Map<String, String> properties) {
        Map<String, String> copy = new HashMap<>(properties);
        return () -> new KafkaFrameReplaySource(topic, copy);
    }

    @Override
    public long read(int partition, long from, long to, Consumer<FrameRecord> sink) throws ReplayException {
        TopicPartition tp = new TopicPartition(topic, partition);
        try {
            consumer.assign(List.of(tp));
            long first = Math.max(from, consumer.beginningOffsets(List.of(tp)).get(tp));
            if (first > to) {
                return first;
            }
            consumer.seek(tp, first);
            long next = first;
            long lastProgress = System.nanoTime();
            while (next <= to) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                    if (r.offset() > to) {
                        break;
                    }
                    sink.accept(FrameRecordParser.parse(r));
                }
                long position = consumer.position(tp);
                if (position > next) {
                    next = position;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    throw new ReplayException("no progress reading " + tp + " at offset " + next + " for " + STALL.toSeconds() + " s", null);
                }
            }
            return first;
        } catch (KafkaException e) {
            throw new ReplayException("cannot read " + tp + " offsets " + from + ".." + to + ": " + e.getMessage(), e);
        } finally {
            consumer.unsubscribe();
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
