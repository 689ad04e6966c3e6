package io.vxflow.connectors.frames;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import java.io.IOException;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class FrameRecordSerializerTest {
    private static final FrameRecordSerializer S = FrameRecordSerializer.INSTANCE;

    private static byte[] write(FrameRecord... records) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        for (FrameRecord r : records) {
            S.serialize(r, out);
        }
        return out.getCopyOfBuffer();
    }

    private static FrameRecord roundTrip(FrameRecord r) throws IOException {
        byte[] bytes = write(r);
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        FrameRecord back = S.deserialize(in);
        assertThat(in.available()).as("bytes left after the record").isZero();
        return back;
    }

    private static void assertSame(FrameRecord back, FrameRecord r) {
        assertThat(back.streamId()).isEqualTo(r.streamId());
        assertThat(back.ingestMillis()).isEqualTo(r.ingestMillis());
        assertThat(back.partition()).isEqualTo(r.partition());
        assertThat(back.offset()).isEqualTo(r.offset());
        assertThat(back.isValid()).isEqualTo(r.isValid());
        assertThat(back.error()).isEqualTo(r.error());
        if (r.isValid()) {
            assertThat(back.unit().codec()).isEqualTo(r.unit().codec());
            assertThat(back.unit().ptsMicros()).isEqualTo(r.unit().ptsMicros());
            assertThat(back.unit().keyframe()).isEqualTo(r.unit().keyframe());
            assertThat(back.unit().data()).isEqualTo(r.unit().data());
        } else {
            assertThat(back.detail()).isEqualTo(r.detail());
        }
    }

    @Test
    void validKeyframeHasTheDocumentedLayout() throws IOException {
        FrameRecord r = FrameRecord.valid("a", new AccessUnit(Codec.HEVC, 0x0102030405060708L, true, new byte[] {9, 8, 7}), 1000).at(2, 5);
        // stream id (StringValue: varint of length + 1, then each char as a varint), flags VALID|KEYFRAME,
        // codec ordinal, pts, length, bytes, ingest, partition, offset
        assertThat(write(r)).containsExactly(
                2, 'a',
                3,
                1,
                1, 2, 3, 4, 5, 6, 7, 8,
                0, 0, 0, 3,
                9, 8, 7,
                0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8,
                0, 0, 0, 2,
                0, 0, 0, 0, 0, 0, 0, 5);
        assertSame(roundTrip(r), r);
    }

    @Test
    void invalidRecordHasTheDocumentedLayout() throws IOException {
        FrameRecord r = FrameRecord.invalid("", DecodeError.MISSING_PTS, "x", 5);
        // empty stream id (length + 1 = 1), flags 0, error ordinal 3, detail "x", ingest 5, no partition (-1), no offset (-1)
        assertThat(write(r)).containsExactly(1, 0, 3, 2, 'x', 0, 0, 0, 0, 0, 0, 0, 5, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        assertSame(roundTrip(r), r);
    }

    @Test
    void roundTripsEveryKindOfRecord() throws IOException {
        FrameRecord[] records = {
            FrameRecord.valid("cam-1", new AccessUnit(Codec.H264, 1_233_333, true, new byte[] {0, 0, 0, 1, 0x67}), 1_763_700_000_123L),
            FrameRecord.valid("cam-1", new AccessUnit(Codec.H264, 1_266_666, false, new byte[] {0, 0, 1, 0x41}), 1_763_700_000_156L),
            FrameRecord.valid("cam-2", new AccessUnit(Codec.HEVC, -40_000, false, new byte[] {0, 0, 1, 0x02, 0x01}), 0),
            FrameRecord.valid("", new AccessUnit(Codec.HEVC, Long.MAX_VALUE, true, new byte[0]), Long.MIN_VALUE),
            FrameRecord.invalid("cam-3", DecodeError.UNKNOWN_CODEC, "unknown codec 'vp9'", 42),
            FrameRecord.valid("cam-4", new AccessUnit(Codec.H264, 7, true, new byte[] {1}), 9).at(31, Long.MAX_VALUE - 1),
            FrameRecord.invalid("cam-4", DecodeError.CORRUPT, "empty record value", 9).at(0, 0),
            FrameRecord.invalid("cam-3", DecodeError.CORRUPT, "empty record value", 43),
            FrameRecord.invalid("камера-📹-東京", DecodeError.TOO_LARGE, "détail ünïcode ✓", 44),
            FrameRecord.valid("камера-📹-東京", new AccessUnit(Codec.H264, 7, true, new byte[] {1}), 45),
        };
        for (FrameRecord r : records) {
            assertSame(roundTrip(r), r);
        }
        // one after another in one buffer, as on a network channel
        DataInputDeserializer in = new DataInputDeserializer(write(records));
        for (FrameRecord r : records) {
            assertSame(S.deserialize(in), r);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void aMissingDetailComesBackEmpty() throws IOException {
        FrameRecord back = roundTrip(FrameRecord.invalid("s", DecodeError.NO_KEYFRAME, null, 1));
        assertThat(back.detail()).isEmpty();
        assertThat(back.error()).isEqualTo(DecodeError.NO_KEYFRAME);
    }

    @Test
    void twoMegabyteAccessUnit() throws IOException {
        byte[] data = new byte[2 * 1024 * 1024];
        new Random(7).nextBytes(data);
        FrameRecord r = FrameRecord.valid("big", new AccessUnit(Codec.HEVC, 99, true, data), 1);
        byte[] bytes = write(r);
        // 1 + 3 (id "big") + 1 + 1 + 8 + 4 + 2 MiB + 8, then partition 4 and offset 8
        assertThat(bytes).hasSize(26 + data.length + 12);
        assertSame(roundTrip(r), r);
    }

    @Test
    void nonAsciiCharactersAreVarints() throws IOException {
        // 'é' = U+00E9 = 233: low 7 bits 0x69 | 0x80 = 0xE9, then 233 >>> 7 = 1
        assertThat(write(FrameRecord.invalid("é", DecodeError.CORRUPT, "", 0))).startsWith(2, (byte) 0xE9, 1);
    }

    @Test
    void stringsLongerThan64KiBOfUtf8RoundTrip() throws IOException {
        // DataOutput.writeUTF stops at 65535 bytes; a Kafka key or a detail quoting a producer's header can be longer.
        String longId = "cam-" + "x".repeat(70_000);
        String longDetail = "unknown codec '" + "é".repeat(40_000) + "'"; // 80,017 bytes of UTF-8
        FrameRecord valid = FrameRecord.valid(longId, new AccessUnit(Codec.H264, 1, true, new byte[] {1}), 2);
        FrameRecord invalid = FrameRecord.invalid("cam", DecodeError.UNKNOWN_CODEC, longDetail, 3);
        assertSame(roundTrip(valid), valid);
        assertSame(roundTrip(invalid), invalid);
    }

    @Test
    void copyBetweenViewsKeepsTheBytes() throws IOException {
        FrameRecord r = FrameRecord.valid("cam", new AccessUnit(Codec.H264, 5, false, new byte[] {1, 2, 3}), 9);
        byte[] bytes = write(r);
        DataOutputSerializer out = new DataOutputSerializer(8);
        S.copy(new DataInputDeserializer(bytes), out);
        assertThat(out.getCopyOfBuffer()).isEqualTo(bytes);
    }

    @Test
    void recordsAreImmutableSoCopiesAreTheSameInstance() {
        FrameRecord r = FrameRecord.invalid("s", DecodeError.CORRUPT, "d", 1);
        assertThat(S.isImmutableType()).isTrue();
        assertThat(S.copy(r)).isSameAs(r);
        assertThat(S.copy(r, S.createInstance())).isSameAs(r);
        assertThat(S.duplicate()).isSameAs(S);
        assertThat(S.getLength()).isEqualTo(-1);
        assertThat(S.createInstance().isValid()).isFalse();
    }

    @Test
    void snapshotRestoresTheSameSerializer() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, S.snapshotConfiguration());
        TypeSerializerSnapshot<FrameRecord> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored).isInstanceOf(FrameRecordSerializer.Snapshot.class);
        assertThat(restored.restoreSerializer()).isSameAs(S);
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
    }
}
