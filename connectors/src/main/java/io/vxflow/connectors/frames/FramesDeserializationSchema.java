package io.vxflow.connectors.frames;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Reads the frames topic into {@link FrameRecord}s for a {@code KafkaSource}. */
public final class FramesDeserializationSchema implements KafkaRecordDeserializationSchema<FrameRecord> {
    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<FrameRecord> out) {
        out.collect(FrameRecordParser.parse(record));
    }

    @Override
    public TypeInformation<FrameRecord> getProducedType() {
        return new FrameRecordTypeInfo();
    }
}
