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

/** Reads every committed result of a topic (read_committed), grouped by stream in topic order. */
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
            long idleSince = System.currentTimeMillis();
            while (System.currentTimeMillis() - idleSince < quiet.toMillis()) {
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
}
