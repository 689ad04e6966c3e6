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
 * JSON line. One thread calls {@link #poll} repeatedly.
 */
final class ResultsWatcher implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Map<String, StreamStats> streams = new TreeMap<>();
    private final int clipFrames;
    private final BufferedWriter out;
    private int total;

    /**
     * @param clientProperties the user's Kafka client properties (security, tuning); the watcher
     *     keeps its own isolation level (read_committed), offsets and deserializers
     */
    ResultsWatcher(String bootstrap, Map<String, String> clientProperties, String topic, int clipFrames, Path outFile)
            throws IOException {
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
    }

    /** Reads what is there (waiting up to {@code wait}); returns how many results came in. */
    int poll(Duration wait) {
        int n = 0;
        long now = System.currentTimeMillis();
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(wait)) {
            FrameResult r = ResultJson.decode(rec.value());
            streams.computeIfAbsent(r.stream(), s -> new StreamStats(s, clipFrames)).add(r, now);
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

    int total() {
        return total;
    }

    Map<String, StreamStats> streams() {
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
