package io.vxflow.it;

import io.vxflow.codec.AccessUnit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Live cameras for the crash tests: publishes each stream's {@link SceneClip} in a loop, one access
 * unit per stream per frame interval, on the wall clock (frames due while a send blocked go out at
 * once after it), with a generic Kafka client in the README's wire format. Each stream starts its
 * clip at its own GOP, so two streams never show the same picture at the same frame index; its
 * presentation times count up across loops ({@code frame n} has pts {@code n * 1e6 / fps}).
 *
 * <p>Owns the producer and the publishing thread. Records are acknowledged by the broker before
 * they count as published ({@link #published}); a send that fails is counted and kept, since the
 * crash tests must know exactly which frames the job was given.
 */
final class RealtimeStreams implements AutoCloseable {
    /** One camera: its id, its clip, and the GOP of the clip it starts at. */
    record Stream(String id, SceneClip clip, int firstGop) {
        long pts(long frame) {
            return frame * 1_000_000L / clip.fps;
        }

        long frameOf(long pts) {
            return Math.round(pts * clip.fps / 1e6);
        }

        /** The clip frame (hence the scene, hence the boxes) of the stream's frame {@code n}. */
        long clipFrame(long frame) {
            return (frame + (long) firstGop * clip.gop) % clip.frames;
        }
    }

    private final List<Stream> streams;
    private final String topic;
    private final int fps;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Guarded by {@code acked}. */
    private final StringBuilder ackLog = new StringBuilder();
    private final Map<String, List<Long>> acked = new LinkedHashMap<>();
    private final AtomicLong failedSends = new AtomicLong();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    RealtimeStreams(String bootstrap, String topic, List<Stream> streams) {
        this.streams = List.copyOf(streams);
        this.topic = topic;
        this.fps = streams.get(0).clip().fps;
        if (streams.stream().anyMatch(s -> s.clip().fps != fps)) {
            throw new IllegalArgumentException("all streams run at one frame rate");
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // a broker restart must not cost a frame: keep retrying for minutes
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "600000");
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        producer = new KafkaProducer<>(p);
        streams.forEach(s -> acked.put(s.id(), new ArrayList<>()));
        thread = new Thread(this::publish, "realtime-streams");
        thread.setDaemon(true);
        thread.start();
    }

    private void publish() {
        List<List<AccessUnit>> loops = new ArrayList<>();
        streams.forEach(s -> loops.add(s.clip().rotated(s.firstGop())));
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / fps;
        for (long tick = 0; running; tick++) {
            long due = start + tick * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (!running) {
                return;
            }
            for (int i = 0; i < streams.size(); i++) {
                Stream s = streams.get(i);
                List<AccessUnit> loop = loops.get(i);
                AccessUnit u = loop.get((int) (tick % loop.size()));
                long cycle = tick / loop.size();
                long rotatedIndex = Math.floorMod(s.clip().clipFrame(u) - (long) s.firstGop() * s.clip().gop, s.clip().frames);
                send(s, u, s.pts(cycle * s.clip().frames + rotatedIndex));
            }
        }
    }

    private void send(Stream s, AccessUnit u, long pts) {
        RecordHeaders h = new RecordHeaders();
        h.add("codec", u.codec().wireName().getBytes(StandardCharsets.US_ASCII));
        h.add("pts", Long.toString(pts).getBytes(StandardCharsets.US_ASCII));
        h.add("key", (u.keyframe() ? "1" : "0").getBytes(StandardCharsets.US_ASCII));
        long sent = System.currentTimeMillis();
        producer.send(new ProducerRecord<>(topic, null, s.id().getBytes(StandardCharsets.UTF_8), u.data(), h), (metadata, e) -> {
            if (e != null) {
                failedSends.incrementAndGet();
                firstFailure.compareAndSet(null, e);
            } else {
                synchronized (acked) {
                    acked.get(s.id()).add(pts);
                    ackLog.append(s.id()).append('\t').append(pts).append('\t').append(metadata.partition()).append('\t')
                            .append(metadata.offset()).append('\t').append(sent).append('\t').append(System.currentTimeMillis()).append('\n');
                }
            }
        });
    }

    List<Stream> streams() {
        return streams;
    }

    Stream stream(String id) {
        return streams.stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    /**
     * Every acknowledged frame as {@code stream, pts, partition, offset, sent_ms, acked_ms} lines with a
     * header, in order of acknowledgement: where a post-mortem sees a producer or partition stall.
     */
    String ackLog() {
        synchronized (acked) {
            return "stream\tpts\tpartition\toffset\tsent_ms\tacked_ms\n" + ackLog;
        }
    }

    /** Frames acknowledged so far, all streams. */
    long publishedCount() {
        synchronized (acked) {
            return acked.values().stream().mapToLong(List::size).sum();
        }
    }

    /** The pts of every acknowledged frame, by stream, in pts order. */
    Map<String, List<Long>> published() {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        synchronized (acked) {
            acked.forEach((id, pts) -> {
                List<Long> sorted = new ArrayList<>(pts);
                sorted.sort(null);
                out.put(id, sorted);
            });
        }
        return out;
    }

    /** Stops publishing and waits until every sent record is acknowledged (or failed). */
    void stop() {
        running = false;
        try {
            thread.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.flush();
    }

    long failedSends() {
        return failedSends.get();
    }

    Exception firstFailure() {
        return firstFailure.get();
    }

    @Override
    public void close() {
        stop();
        producer.close();
    }
}
