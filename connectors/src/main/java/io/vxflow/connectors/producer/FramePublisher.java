package io.vxflow.connectors.producer;

import static io.vxflow.connectors.frames.FramesWireFormat.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.kafka.KafkaClientProperties;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes access units to a frames topic, one record each per {@code FramesWireFormat}: key the
 * stream id in UTF-8, value the Annex-B bytes as they are (the array is handed to Kafka, not
 * copied), headers {@code codec}, {@code pts} and {@code key}. Records of one stream share a key,
 * so they stay in order in one partition.
 *
 * <p>Owns a {@code KafkaProducer<byte[], byte[]>} configured for big records of already-compressed
 * video: {@code max.request.size} 16 MiB, {@code linger.ms} 5, no compression, idempotence on
 * ({@code acks=all}), and bounded waits: {@code max.block.ms} 15 s, delivery timeout 30 s. Extra
 * producer properties given to the constructor win over these. The constructor checks that the
 * broker answers and the topic exists (or is created automatically); a broker that does not answer
 * is a {@link PublishException} naming its address within {@code max.block.ms}.
 *
 * <p>Delivery is asynchronous: a failure reported by Kafka is thrown by the next
 * {@link #publish} or {@link #flush}. {@link #recordsSent()} and {@link #bytesSent()} count what the
 * broker acknowledged (value bytes), exact after {@link #flush()}. Safe to share between threads.
 */
public final class FramePublisher implements AutoCloseable {
    static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;
    private static final Map<String, String> DEFAULTS = Map.of(
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(MAX_RECORD_BYTES),
            ProducerConfig.BUFFER_MEMORY_CONFIG, Integer.toString(4 * MAX_RECORD_BYTES),
            ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024),
            ProducerConfig.LINGER_MS_CONFIG, "5",
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "none",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000",
            ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000",
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
    private static final byte[] KEYFRAME = {'1'};
    private static final byte[] NOT_KEYFRAME = {'0'};

    private final String bootstrapServers;
    private final String topic;
    private final Duration maxBlock;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean closed;

    public FramePublisher(String bootstrapServers, String topic) {
        this(bootstrapServers, topic, Map.of());
    }

    /**
     * Creates the producer and waits until the broker has answered for {@code topic}.
     *
     * @param extraProperties Kafka producer properties that win over the publisher's own
     *     (security settings, {@code client.id}, tuning); checked by
     *     {@link KafkaClientProperties#check}: serializers and the bootstrap servers cannot be set so
     * @throws PublishException if the broker does not answer within {@code max.block.ms}, or
     *     refuses the client's credentials
     * @throws IllegalArgumentException if {@code extraProperties} sets what the publisher owns
     */
    public FramePublisher(String bootstrapServers, String topic, Map<String, String> extraProperties) {
        this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        this.topic = Objects.requireNonNull(topic, "topic");
        Properties props = producerProperties(bootstrapServers, extraProperties);
        this.maxBlock = Duration.ofMillis(Long.parseLong(props.getProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG)));
        try {
            this.producer = new KafkaProducer<>(props);
        } catch (KafkaException e) {
            throw new PublishException("cannot create a Kafka producer for " + bootstrapServers + ": "
                    + rootMessage(e), e);
        }
        try {
            producer.partitionsFor(topic);
        } catch (AuthenticationException e) {
            producer.close(Duration.ZERO);
            throw refused(e);
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw unreachable(e);
        }
    }

    /** The producer's configuration: the publisher's defaults, then {@code extraProperties} (checked). */
    static Properties producerProperties(String bootstrapServers, Map<String, String> extraProperties) {
        return KafkaClientProperties.merge(DEFAULTS, extraProperties, Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
    }

    /**
     * Queues one record for {@code unit} under {@code streamId}; blocks only while the producer's
     * buffer is full, at most {@code max.block.ms}.
     *
     * @throws PublishException if an earlier record failed, or the broker cannot be reached
     */
    public void publish(String streamId, AccessUnit unit) {
        ensureUsable();
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, null,
                streamId.getBytes(StandardCharsets.UTF_8), unit.data(), headers(unit));
        int size = unit.data().length;
        try {
            producer.send(record, (metadata, e) -> completed(metadata, e, size));
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (KafkaException e) {
            throw new PublishException("cannot publish to topic '" + topic + "' on " + bootstrapServers + ": "
                    + rootMessage(e), e);
        }
    }

    private static List<Header> headers(AccessUnit unit) {
        return List.of(
                new RecordHeader(HEADER_CODEC, unit.codec().wireName().getBytes(StandardCharsets.US_ASCII)),
                new RecordHeader(HEADER_PTS, Long.toString(unit.ptsMicros()).getBytes(StandardCharsets.US_ASCII)),
                new RecordHeader(HEADER_KEY, unit.keyframe() ? KEYFRAME : NOT_KEYFRAME));
    }

    private void completed(RecordMetadata metadata, Exception e, int size) {
        if (e == null) {
            records.incrementAndGet();
            bytes.addAndGet(size);
        } else {
            failure.compareAndSet(null, e);
        }
    }

    /**
     * Waits until every queued record is acknowledged or failed.
     *
     * @throws PublishException if any failed
     */
    public void flush() {
        ensureOpen();
        producer.flush();
        ensureUsable();
    }

    /** Records the broker acknowledged. */
    public long recordsSent() {
        return records.get();
    }

    /** Value bytes (video) of the records the broker acknowledged. */
    public long bytesSent() {
        return bytes.get();
    }

    public String topic() {
        return topic;
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    private void ensureUsable() {
        ensureOpen();
        Exception e = failure.get();
        if (e instanceof RecordTooLargeException) {
            throw new PublishException("topic '" + topic + "' on " + bootstrapServers + " refused an access unit as "
                    + "too large: raise the topic's max.message.bytes (and the broker's message.max.bytes): "
                    + e.getMessage(), e);
        }
        if (e instanceof TimeoutException) {
            throw unreachable(e);
        }
        if (e instanceof AuthenticationException) {
            throw refused(e);
        }
        if (e != null) {
            throw new PublishException("publishing to topic '" + topic + "' on " + bootstrapServers + " failed: "
                    + rootMessage(e), e);
        }
    }

    private PublishException unreachable(Exception e) {
        return new PublishException("cannot reach Kafka at " + bootstrapServers + " for topic '" + topic + "' within "
                + maxBlock.toMillis() + " ms (the broker is down or unreachable, its listener expects security settings "
                + "the client was not given, or the topic does not exist and is not created automatically): " + rootMessage(e), e);
    }

    private PublishException refused(Exception e) {
        return new PublishException("Kafka at " + bootstrapServers + " refused the producer's credentials (check the "
                + "security.protocol, sasl.* and ssl.* client properties): " + rootMessage(e), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the publisher to topic '" + topic + "' is closed");
        }
    }

    /** Sends what is queued (waiting at most {@code max.block.ms}) and closes the producer; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            producer.close(maxBlock);
        }
    }
}
