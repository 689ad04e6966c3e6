package io.vxflow.connectors.frames;

import static io.vxflow.connectors.frames.FramesWireFormat.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Parses a frames-topic record per {@link FramesWireFormat}; never throws on bad input. */
public final class FrameRecordParser {
    private FrameRecordParser() {}

    /** The record with its partition and offset, so a restored decoder can read it again. */
    public static FrameRecord parse(ConsumerRecord<byte[], byte[]> record) {
        return parseContent(record).at(record.partition(), record.offset());
    }

    private static FrameRecord parseContent(ConsumerRecord<byte[], byte[]> record) {
        byte[] keyBytes = record.key();
        long ts = record.timestamp();
        if (keyBytes == null || keyBytes.length == 0) {
            return FrameRecord.invalid("", DecodeError.NO_STREAM_ID, "record without a key (the key is the stream id); partition "
                    + record.partition() + " offset " + record.offset(), ts);
        }
        if (!isUtf8(keyBytes)) {
            // filed under no stream (""), so that each broken key is not a stream of its own
            int shown = Math.min(keyBytes.length, 16);
            return FrameRecord.invalid("", DecodeError.NO_STREAM_ID, "the key is not UTF-8 text (" + keyBytes.length + " bytes: "
                    + HexFormat.ofDelimiter(" ").formatHex(keyBytes, 0, shown) + (shown < keyBytes.length ? " ..." : "") + ")", ts);
        }
        String stream = new String(keyBytes, StandardCharsets.UTF_8);
        String codecName = header(record, HEADER_CODEC);
        Optional<Codec> codec = Codec.fromWireName(codecName);
        if (codec.isEmpty()) {
            return FrameRecord.invalid(stream, DecodeError.UNKNOWN_CODEC,
                    codecName == null ? "no codec header" : "unknown codec '" + printable(codecName, QUOTED_MAX) + "'", ts);
        }
        String ptsText = header(record, HEADER_PTS);
        long pts;
        try {
            pts = Long.parseLong(ptsText == null ? "" : ptsText.trim());
        } catch (NumberFormatException e) {
            return FrameRecord.invalid(stream, DecodeError.MISSING_PTS,
                    ptsText == null ? "no pts header" : "pts '" + printable(ptsText, QUOTED_MAX) + "' is not a decimal number", ts);
        }
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            return FrameRecord.invalid(stream, DecodeError.CORRUPT, "empty record value", ts);
        }
        boolean key = "1".equals(header(record, HEADER_KEY));
        return FrameRecord.valid(stream, new AccessUnit(codec.get(), pts, key, value), ts);
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
