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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A read_committed consumer that reads a results topic from the beginning for as long as a crash
 * test runs, through restarts of the job and of the broker, and keeps every result in the order
 * the topic holds it, by stream. Owns the consumer and its thread.
 */
final class CommittedResults implements AutoCloseable {
    private final String topic;
    private final Map<String, List<FrameResult>> byStream = new LinkedHashMap<>();
    private final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile boolean running = true;
    private long count;

    CommittedResults(String bootstrap, String topic, int partitions) {
        this.topic = topic;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        consumer = new KafkaConsumer<>(p);
        List<TopicPartition> parts = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            parts.add(new TopicPartition(topic, i));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        thread = new Thread(this::read, "committed-results-" + topic);
        thread.setDaemon(true);
        thread.start();
    }

    private void read() {
        try {
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                synchronized (byStream) {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        FrameResult fr = ResultJson.decode(r.value());
                        String key = new String(r.key(), StandardCharsets.UTF_8);
                        if (!fr.stream().equals(key)) {
                            throw new AssertionError("result key " + key + " != stream " + fr.stream() + " at " + r.topic() + "-" + r.partition() + "@" + r.offset());
                        }
                        byStream.computeIfAbsent(fr.stream(), s -> new ArrayList<>()).add(fr);
                        count++;
                    }
                }
                for (TopicPartition tp : consumer.assignment()) {
                    positions.put(tp, consumer.position(tp));
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    /** Results read so far. */
    long count() {
        checkAlive();
        synchronized (byStream) {
            return count;
        }
    }

    /** A copy of everything read so far, by stream, in topic order. */
    Map<String, List<FrameResult>> byStream() {
        checkAlive();
        Map<String, List<FrameResult>> copy = new LinkedHashMap<>();
        synchronized (byStream) {
            byStream.forEach((s, l) -> copy.put(s, new ArrayList<>(l)));
        }
        return copy;
    }

    /** The consumer's position (next offset it reads) per partition; with read_committed it cannot pass the LSO. */
    Map<TopicPartition, Long> positions() {
        checkAlive();
        return Map.copyOf(positions);
    }

    String topic() {
        return topic;
    }

    private void checkAlive() {
        if (failure.get() != null) {
            throw new IllegalStateException("the read_committed consumer of " + topic + " failed", failure.get());
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close();
    }
}
