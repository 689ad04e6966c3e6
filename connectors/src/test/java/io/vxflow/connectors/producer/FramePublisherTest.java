package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The producer configuration FramePublisher builds, without a broker. */
class FramePublisherTest {

    @Test
    void defaultsSuitBigRecordsOfCompressedVideoWithBoundedWaits() {
        Properties p = FramePublisher.producerProperties("kafka:9092", Map.of());
        assertThat(p).containsEntry("bootstrap.servers", "kafka:9092")
                .containsEntry("max.request.size", Integer.toString(16 * 1024 * 1024))
                .containsEntry("compression.type", "none")
                .containsEntry("linger.ms", "5")
                .containsEntry("enable.idempotence", "true")
                .containsEntry("acks", "all")
                .containsEntry("max.block.ms", "15000");
        assertThat(Long.parseLong(p.getProperty("buffer.memory"))).isGreaterThanOrEqualTo(16L * 1024 * 1024);
        assertThat(Long.parseLong(p.getProperty("delivery.timeout.ms")))
                .as("Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms")
                .isGreaterThanOrEqualTo(Long.parseLong(p.getProperty("request.timeout.ms")) + 5);
    }

    @Test
    void extraPropertiesWinOverTheDefaults() {
        Properties p = FramePublisher.producerProperties("kafka:9092", Map.of("linger.ms", "20", "security.protocol", "SSL"));
        assertThat(p).containsEntry("linger.ms", "20").containsEntry("security.protocol", "SSL")
                .containsEntry("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
    }

    @Test
    void serializersAndBootstrapServersCannotBeChanged() {
        assertThatThrownBy(() -> FramePublisher.producerProperties("kafka:9092",
                Map.of("value.serializer", "org.apache.kafka.common.serialization.StringSerializer")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the Kafka client property 'value.serializer' is set by vxflow (the wire format fixes it)");
        assertThatThrownBy(() -> FramePublisher.producerProperties("kafka:9092", Map.of("bootstrap.servers", "other:9092")))
                .hasMessage("the Kafka client property 'bootstrap.servers' is set by vxflow: use --bootstrap (vxflow.kafka.bootstrap)");
    }
}
