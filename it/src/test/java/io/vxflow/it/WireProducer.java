package io.vxflow.it;

import io.vxflow.codec.AccessUnit;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A generic Kafka client writing the frames topic exactly as the README's wire format says: key =
 * stream id, value = Annex-B access unit, headers codec / pts / key. Deliberately not vxflow's own
 * producer, so tests prove the documented format is enough.
 */
final class WireProducer implements AutoCloseable {
    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;

    WireProducer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 << 20));
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producer = new KafkaProducer<>(p);
        this.topic = topic;
    }

    void send(String stream, AccessUnit u) {
        send(stream, u.data(), u.codec().wireName(), Long.toString(u.ptsMicros()), u.keyframe() ? "1" : "0");
    }

    /** Sends a record with exactly these headers; a null header is left out. */
    void send(String stream, byte[] value, String codec, String pts, String key) {
        RecordHeaders h = new RecordHeaders();
        if (codec != null) {
            h.add("codec", codec.getBytes(StandardCharsets.US_ASCII));
        }
        if (pts != null) {
            h.add("pts", pts.getBytes(StandardCharsets.US_ASCII));
        }
        if (key != null) {
            h.add("key", key.getBytes(StandardCharsets.US_ASCII));
        }
        producer.send(new ProducerRecord<>(topic, null, stream.getBytes(StandardCharsets.UTF_8), value, h));
    }

    void sendAll(String stream, List<AccessUnit> units) {
        units.forEach(u -> send(stream, u));
    }

    @Override
    public void close() {
        producer.flush();
        producer.close();
    }
}
