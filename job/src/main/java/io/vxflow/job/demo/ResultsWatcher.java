package io.vxflow.job.demo;

import io.vxflow.connectors.kafka.KafkaClientProperties;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the results topic as a {@code read_committed} consumer (so it sees exactly what the job
 * committed), keeps per-stream statistics and, with an output file, writes every result to it as a
 * JSON line; a {@link Listener} sees every result as it comes. One thread calls {@link #poll}
 * repeatedly.
 */
public final class ResultsWatcher implements AutoCloseable {
    /** Sees each result read, after the per-stream statistics took it. */
    public interface Listener {
        /**
         * @param json the record's value as committed
         * @param duplicate whether this stream's frame had a result already
         * @param receivedMillis when the consumer read it
         */
        void onResult(FrameResult result, byte[] json, boolean duplicate, long receivedMillis);
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, StreamStats> streams = new TreeMap<>();
    private final int clipFrames;
    private final BufferedWriter out;
    private final Listener listener;
    private long total;

    ResultsWatcher(String bootstrap, Map<String, String> clientProperties, String topic, int clipFrames, Path outFile) throws IOException {
        this(bootstrap, clientProperties, topic, clipFrames, outFile, (r, json, duplicate, received) -> {});
    }

    /**
     * A watcher that hands every result to {@code listener}; results of frame {@code f} are checked
     * against scene frame {@code f % clipFrames}.
     *
     * @param clientProperties the user's Kafka client properties (security, tuning); the watcher
     *     keeps its own isolation level (read_committed), offsets and deserializers
     */
    public ResultsWatcher(String bootstrap, Map<String, String> clientProperties, String topic, int clipFrames, Path outFile,
            Listener listener) throws IOException {
        consumer = new KafkaConsumer<>(KafkaClientProperties.merge(Map.of(), clientProperties, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())));
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo info : consumer.partitionsFor(topic)) {
            parts.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        this.clipFrames = clipFrames;
        this.out = outFile == null ? null : Files.newBufferedWriter(outFile, StandardCharsets.UTF_8);
        this.listener = listener;
    }

    /** Reads what is there (waiting up to {@code wait}); returns how many results came in. */
    public int poll(Duration wait) {
        int n = 0;
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(wait)) {
            FrameResult r = ResultJson.decode(rec.value());
            boolean first = streams.computeIfAbsent(r.stream(), s -> new StreamStats(s, clipFrames)).add(r, now);
            listener.onResult(r, rec.value(), !first, now);
            if (out != null) {
                try {
                    out.write(new String(rec.value(), StandardCharsets.UTF_8));
                    out.newLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            n++;
        }
        total += n;
        return n;
    }

    /** Results read, duplicates included. */
    public long total() {
        return total;
    }

    /** Per stream id, in id order. */
    public Map<String, StreamStats> streams() {
        return streams;
    }

    @Override
    public void close() throws IOException {
        consumer.close();
        if (out != null) {
            out.close();
        }
    }
}
