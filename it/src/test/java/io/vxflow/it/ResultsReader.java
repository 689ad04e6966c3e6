package io.vxflow.it;

import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads every committed result of a topic (read_committed), grouped by stream in topic order: up to
 * the topic's last stable offsets when the read starts, or until nothing has come for {@code quiet}.
 */
final class ResultsReader {
    private ResultsReader() {}

    static Map<String, List<FrameResult>> readAll(String bootstrap, String topic, Duration quiet) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Map<String, List<FrameResult>> out = new LinkedHashMap<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            List<TopicPartition> parts = new ArrayList<>();
            c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            c.assign(parts);
            c.seekToBeginning(parts);
            // read_committed: the end offsets are the last stable offsets, so once every partition's
            // position reaches them all that is committed now has been read; no need to sit out the
            // quiet period (3 s a call) when nothing more can come. Callers wait for later commits
            // themselves (their sleeps, awaitCommitted's loop); quiet still bounds a read that stalls.
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long idleSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - idleSince < quiet.toMillis() && !caughtUp(c, end)) {
                var records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    FrameResult fr = ResultJson.decode(r.value());
                    if (!fr.stream().equals(new String(r.key(), StandardCharsets.UTF_8))) {
                        throw new AssertionError("result key " + new String(r.key(), StandardCharsets.UTF_8) + " != stream " + fr.stream());
                    }
                    out.computeIfAbsent(fr.stream(), s -> new ArrayList<>()).add(fr);
                }
                if (!records.isEmpty()) {
                    idleSince = System.currentTimeMillis();
                }
            }
        }
        return out;
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        return end.entrySet().stream().allMatch(e -> c.position(e.getKey()) >= e.getValue());
    }
}
