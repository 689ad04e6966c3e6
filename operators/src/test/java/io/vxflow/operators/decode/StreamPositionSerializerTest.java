package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class StreamPositionSerializerTest {
    private static final StreamPositionSerializer S = StreamPositionSerializer.INSTANCE;

    private static byte[] write(StreamPosition p) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(8);
        S.serialize(p, out);
        return out.getCopyOfBuffer();
    }

    private static StreamPosition read(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        StreamPosition p = S.deserialize(in);
        assertThat(in.available()).isZero();
        return p;
    }

    private static StreamPosition full() {
        StreamPosition p = new StreamPosition(5, 1000, true, false, 3, 4096);
        p.previousUnits = 2;
        p.keyframePts = 2000;
        p.drained = true;
        return p;
    }

    @Test
    void versionTwoLayout() throws IOException {
        // version, next frame index, last pts, flags (emittedAny 1 | overflow 2 | drained 4), gop units,
        // gop bytes, units before the keyframe, keyframe pts
        assertThat(write(full())).containsExactly(
                2,
                0, 0, 0, 0, 0, 0, 0, 5,
                0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8,
                5,
                0, 0, 0, 3,
                0, 0, 0, 0, 0, 0, 0x10, 0,
                0, 0, 0, 2,
                0, 0, 0, 0, 0, 0, 0x07, (byte) 0xD0);
        assertThat(write(full())).hasSize(StreamPositionSerializer.V2_LENGTH);
        assertThat(S.getLength()).as("variable: version 1 records are shorter").isEqualTo(-1);
        assertThat(write(new StreamPosition(0, 0, false, true, 0, 0))[17]).isEqualTo((byte) 2);
        assertThat(write(new StreamPosition(0, 0, true, true, 0, 0))[17]).isEqualTo((byte) 3);
    }

    @Test
    void versionOneRecordsAreStillRead() throws IOException {
        byte[] v1 = {
            1,
            0, 0, 0, 0, 0, 0, 0, 5,
            0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8,
            3,
            0, 0, 0, 3,
            0, 0, 0, 0, 0, 0, 0x10, 0};
        StreamPosition p = read(v1);
        assertThat(p).isEqualTo(new StreamPosition(5, 1000, true, true, 3, 4096));
        assertThat(p.previousUnits).isZero();
        assertThat(p.drained).isFalse();
        // written back in the current format
        assertThat(read(write(p))).isEqualTo(p);
        assertThat(write(p)[0]).isEqualTo((byte) 2);
    }

    @Test
    void roundTrips() throws IOException {
        StreamPosition edge = new StreamPosition(Long.MAX_VALUE, Long.MIN_VALUE, false, true, Integer.MAX_VALUE, Long.MAX_VALUE);
        edge.previousUnits = Integer.MAX_VALUE;
        edge.keyframePts = Long.MIN_VALUE;
        StreamPosition[] positions = {
            new StreamPosition(),
            new StreamPosition(5, 1000, true, false, 3, 4096),
            full(),
            edge,
            new StreamPosition(1, -33_333, true, true, 0, 0),
        };
        for (StreamPosition p : positions) {
            byte[] bytes = write(p);
            assertThat(bytes).hasSize(StreamPositionSerializer.V2_LENGTH);
            StreamPosition back = read(bytes);
            assertThat(back).isEqualTo(p).isNotSameAs(p);
            assertThat(back.toString()).isEqualTo(p.toString());
        }
    }

    @Test
    void unknownVersionIsAnIoExceptionNamingIt() throws IOException {
        byte[] bytes = write(full());
        bytes[0] = 3;
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessage("unknown StreamPosition format version 3");
        bytes[0] = 0;
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessage("unknown StreamPosition format version 0");
    }

    @Test
    void copiesAreIndependent() throws IOException {
        StreamPosition p = full();
        assertThat(S.isImmutableType()).isFalse();
        StreamPosition c = S.copy(p);
        assertThat(c).isEqualTo(p).isNotSameAs(p);
        p.gopUnits = 4;
        p.previousUnits = 0;
        assertThat(c.gopUnits).isEqualTo(3);
        assertThat(c.previousUnits).isEqualTo(2);
        assertThat(S.copy(p, new StreamPosition())).isEqualTo(p);
        assertThat(S.createInstance()).isEqualTo(new StreamPosition(0, 0, false, false, 0, 0));

        byte[] bytes = write(p);
        DataOutputSerializer out = new DataOutputSerializer(8);
        S.copy(new DataInputDeserializer(bytes), out);
        assertThat(out.getCopyOfBuffer()).isEqualTo(bytes);
    }

    @Test
    void snapshotRestoresTheSameSerializer() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, S.snapshotConfiguration());
        TypeSerializerSnapshot<StreamPosition> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored).isInstanceOf(StreamPositionSerializer.Snapshot.class);
        assertThat(restored.restoreSerializer()).isSameAs(S);
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
    }
}
