package io.vxflow.it;

import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a results topic while the job runs, read_committed (what a downstream consumer sees), and
 * keeps each stream's results' pts and frame numbers in topic order. Owns its consumer and thread.
 */
final class ResultTally implements AutoCloseable {
    private final Map<String, List<long[]>> byStream = new HashMap<>();
    private final AtomicLong count = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile RuntimeException failure;

    ResultTally(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        thread = new Thread(() -> {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                List<TopicPartition> parts = new ArrayList<>();
                c.partitionsFor(topic).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
                c.assign(parts);
                c.seekToBeginning(parts);
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                        FrameResult fr = ResultJson.decode(r.value());
                        synchronized (byStream) {
                            byStream.computeIfAbsent(fr.stream(), k -> new ArrayList<>()).add(new long[] {fr.pts(), fr.frame()});
                        }
                        count.incrementAndGet();
                    }
                }
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "churn-results");
        thread.setDaemon(true);
        thread.start();
    }

    long count() {
        if (failure != null) {
            throw failure;
        }
        return count.get();
    }

    /** Each stream's results so far: {pts, frame number} in topic order. */
    Map<String, List<long[]>> snapshot() {
        synchronized (byStream) {
            Map<String, List<long[]>> copy = new HashMap<>();
            byStream.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
            return copy;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
