package io.vxflow.connectors.results;

import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes {@link EncodedResult}s to the results topic: key = stream id, value = the JSON. */
public final class ResultsSerializationSchema implements KafkaRecordSerializationSchema<EncodedResult> {
    private static final long serialVersionUID = 1L;
    private final String topic;

    public ResultsSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(EncodedResult r, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, timestamp, r.stream.getBytes(StandardCharsets.UTF_8), r.json);
    }
}
