package io.vxflow.connectors.frames;

import static io.vxflow.connectors.frames.FramesWireFormat.*;

import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.decode.Codec;
import io.vxflow.gpu.decode.DecodeError;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Parses a frames-topic record per {@link FramesWireFormat}; never throws on bad input. */
public final class FrameRecordParser {
    private FrameRecordParser() {}

    public static FrameRecord parse(ConsumerRecord<byte[], byte[]> record) {
        String stream = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        long ts = record.timestamp();
        String codecName = header(record, HEADER_CODEC);
        Optional<Codec> codec = Codec.fromWireName(codecName);
        if (codec.isEmpty()) {
            return FrameRecord.invalid(stream, DecodeError.UNKNOWN_CODEC,
                    codecName == null ? "no codec header" : "unknown codec '" + codecName + "'", ts);
        }
        String ptsText = header(record, HEADER_PTS);
        long pts;
        try {
            pts = Long.parseLong(ptsText == null ? "" : ptsText.trim());
        } catch (NumberFormatException e) {
            return FrameRecord.invalid(stream, DecodeError.MISSING_PTS,
                    ptsText == null ? "no pts header" : "pts '" + ptsText + "' is not a decimal number", ts);
        }
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            return FrameRecord.invalid(stream, DecodeError.CORRUPT, "empty record value", ts);
        }
        boolean key = "1".equals(header(record, HEADER_KEY));
        return FrameRecord.valid(stream, new AccessUnit(codec.get(), pts, key, value), ts);
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
