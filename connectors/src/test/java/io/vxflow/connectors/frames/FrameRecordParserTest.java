package io.vxflow.connectors.frames;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class FrameRecordParserTest {
    private static final long TS = 1_763_700_000_123L;
    private static final byte[] AU = {0, 0, 0, 1, 0x65, 0x11};

    /** A frames-topic record; headers as name, value pairs (a null value is a header with no value). */
    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, String... headers) {
        RecordHeaders h = new RecordHeaders();
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1] == null ? null : headers[i + 1].getBytes(UTF_8));
        }
        byte[] k = key == null ? null : key.getBytes(UTF_8);
        return new ConsumerRecord<>("frames", 0, 17L, TS, TimestampType.CREATE_TIME, k == null ? -1 : k.length,
                value == null ? -1 : value.length, k, value, h, Optional.empty());
    }

    @Test
    void validH264Keyframe() {
        FrameRecord r = FrameRecordParser.parse(record("cam-1", AU, "codec", "h264", "pts", "1233333", "key", "1"));
        assertThat(r.isValid()).isTrue();
        assertThat(r.streamId()).isEqualTo("cam-1");
        assertThat(r.ingestMillis()).isEqualTo(TS);
        assertThat(r.partition()).as("where the record can be read again").isZero();
        assertThat(r.offset()).isEqualTo(17L);
        assertThat(r.unit().codec()).isEqualTo(Codec.H264);
        assertThat(r.unit().ptsMicros()).isEqualTo(1_233_333L);
        assertThat(r.unit().keyframe()).isTrue();
        assertThat(r.unit().data()).containsExactly(AU);
        assertThat(r.error()).isNull();
        assertThat(r.detail()).isNull();
    }

    @Test
    void hevcUnderBothNamesAndTheKeyHeader() {
        FrameRecord hevc = FrameRecordParser.parse(record("c", AU, "codec", "hevc", "pts", "0", "key", "0"));
        assertThat(hevc.unit().codec()).isEqualTo(Codec.HEVC);
        assertThat(hevc.unit().keyframe()).isFalse();
        FrameRecord h265 = FrameRecordParser.parse(record("c", AU, "codec", "h265", "pts", "33333"));
        assertThat(h265.unit().codec()).isEqualTo(Codec.HEVC);
        assertThat(h265.unit().keyframe()).as("no key header").isFalse();
        FrameRecord upper = FrameRecordParser.parse(record("c", AU, "codec", " HEVC ", "pts", " 42 ", "key", "true"));
        assertThat(upper.unit().codec()).isEqualTo(Codec.HEVC);
        assertThat(upper.unit().ptsMicros()).isEqualTo(42);
        assertThat(upper.unit().keyframe()).as("only '1' marks a keyframe").isFalse();
        assertThat(FrameRecordParser.parse(record("c", AU, "codec", "h264", "pts", "-5")).unit().ptsMicros()).isEqualTo(-5);
    }

    @Test
    void theLastOfRepeatedHeadersWins() {
        FrameRecord r = FrameRecordParser.parse(record("c", AU, "codec", "vp9", "codec", "h264", "pts", "1", "key", "0", "key", "1"));
        assertThat(r.unit().codec()).isEqualTo(Codec.H264);
        assertThat(r.unit().keyframe()).isTrue();
    }

    @Test
    void missingOrUnknownCodec() {
        FrameRecord missing = FrameRecordParser.parse(record("cam-2", AU, "pts", "1"));
        assertInvalid(missing, "cam-2", DecodeError.UNKNOWN_CODEC, "no codec header");
        assertInvalid(FrameRecordParser.parse(record("cam-2", AU, "codec", null, "pts", "1")), "cam-2", DecodeError.UNKNOWN_CODEC,
                "no codec header");
        assertInvalid(FrameRecordParser.parse(record("cam-2", AU, "codec", "vp9", "pts", "1")), "cam-2", DecodeError.UNKNOWN_CODEC,
                "unknown codec 'vp9'");
        // the codec is checked first
        assertInvalid(FrameRecordParser.parse(record("cam-2", new byte[0])), "cam-2", DecodeError.UNKNOWN_CODEC, "no codec header");
    }

    @Test
    void missingOrMalformedPts() {
        assertInvalid(FrameRecordParser.parse(record("s", AU, "codec", "h264")), "s", DecodeError.MISSING_PTS, "no pts header");
        assertInvalid(FrameRecordParser.parse(record("s", AU, "codec", "h264", "pts", "abc")), "s", DecodeError.MISSING_PTS,
                "pts 'abc' is not a decimal number");
        assertInvalid(FrameRecordParser.parse(record("s", AU, "codec", "h264", "pts", "")), "s", DecodeError.MISSING_PTS,
                "pts '' is not a decimal number");
        assertInvalid(FrameRecordParser.parse(record("s", AU, "codec", "h264", "pts", "1.5")), "s", DecodeError.MISSING_PTS,
                "pts '1.5' is not a decimal number");
    }

    @Test
    void aRecordWithoutAStreamIdIsInvalid() {
        FrameRecord none = FrameRecordParser.parse(record(null, AU, "codec", "h264", "pts", "1", "key", "1"));
        assertInvalid(none, "", DecodeError.NO_STREAM_ID, "record without a key (the key is the stream id); partition 0 offset 17");
        assertInvalid(FrameRecordParser.parse(record("", AU, "codec", "h264", "pts", "1")), "", DecodeError.NO_STREAM_ID,
                "record without a key (the key is the stream id); partition 0 offset 17");
        assertThat(FrameRecordParser.parse(record("камера-1", AU, "codec", "h264", "pts", "1")).streamId()).isEqualTo("камера-1");
    }

    @Test
    void aKeyThatIsNotUtf8IsInvalid() {
        RecordHeaders h = new RecordHeaders();
        h.add("codec", "h264".getBytes(UTF_8));
        h.add("pts", "1".getBytes(UTF_8));
        byte[] key = {'c', 'a', 'm', (byte) 0xC3, (byte) 0x28};
        FrameRecord r = FrameRecordParser.parse(
                new ConsumerRecord<>("frames", 0, 17L, TS, TimestampType.CREATE_TIME, key.length, AU.length, key, AU, h, Optional.empty()));
        assertThat(r.isValid()).isFalse();
        assertThat(r.error()).isEqualTo(DecodeError.NO_STREAM_ID);
        assertThat(r.detail()).isEqualTo("the key is not UTF-8 text (5 bytes: 63 61 6d c3 28)");
        assertThat(r.streamId()).as("filed under no stream").isEmpty();
    }

    @Test
    void quotedHeadersAreCutAndEscaped() {
        assertInvalid(FrameRecordParser.parse(record("s", AU, "codec", "vp9\n2026-11-21 WARN forged", "pts", "1")), "s",
                DecodeError.UNKNOWN_CODEC, "unknown codec 'vp9\\n2026-11-21 WARN forged'");
        assertInvalid(FrameRecordParser.parse(record("s", AU, "codec", "h264", "pts", "\u001b[31m1")), "s", DecodeError.MISSING_PTS,
                "pts '\\u001b[31m1' is not a decimal number");
        assertThat(io.vxflow.connectors.frames.FramesWireFormat.printable("abcdef", 3)).isEqualTo("abc...(6 characters)");
        assertThat(io.vxflow.connectors.frames.FramesWireFormat.printable("a\\b\tc", 64)).isEqualTo("a\\\\b\\tc");
    }

    @Test
    void emptyOrNullValueIsCorrupt() {
        assertInvalid(FrameRecordParser.parse(record("s", new byte[0], "codec", "h264", "pts", "1", "key", "1")), "s",
                DecodeError.CORRUPT, "empty record value");
        assertInvalid(FrameRecordParser.parse(record("s", null, "codec", "hevc", "pts", "1")), "s", DecodeError.CORRUPT,
                "empty record value");
    }

    @Test
    void aHugeCodecHeaderIsQuotedShortAndTheRecordCrossesTheShuffle() throws java.io.IOException {
        String codec = "v".repeat(100_000);
        FrameRecord r = FrameRecordParser.parse(record("s", AU, "codec", codec, "pts", "1"));
        assertInvalid(r, "s", DecodeError.UNKNOWN_CODEC, "unknown codec '" + "v".repeat(64) + "...(100000 characters)'");
        org.apache.flink.core.memory.DataOutputSerializer out = new org.apache.flink.core.memory.DataOutputSerializer(64);
        FrameRecordSerializer.INSTANCE.serialize(r, out);
        FrameRecord back = FrameRecordSerializer.INSTANCE.deserialize(new org.apache.flink.core.memory.DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.detail()).isEqualTo(r.detail());
    }

    private static void assertInvalid(FrameRecord r, String stream, DecodeError error, String detail) {
        assertThat(r.isValid()).isFalse();
        assertThat(r.unit()).isNull();
        assertThat(r.streamId()).isEqualTo(stream);
        assertThat(r.error()).isEqualTo(error);
        assertThat(r.detail()).isEqualTo(detail);
        assertThat(r.ingestMillis()).isEqualTo(TS);
    }
}
