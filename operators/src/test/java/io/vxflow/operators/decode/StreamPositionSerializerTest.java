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

    /** Emitted 5 frames up to pts 1000, partition 2, last offset 300 ingested at 5, keyframes at offsets 200 (pts 2000) and 260 (pts 4000). */
    private static StreamPosition full() {
        StreamPosition p = new StreamPosition();
        p.nextFrameIndex = 5;
        p.lastEmittedPts = 1000;
        p.emittedAny = true;
        p.received(2, 200, true, 2000, 0);
        p.received(2, 260, true, 4000, 0);
        p.received(2, 300, false, 4100, 5);
        return p;
    }

    @Test
    void versionThreeLayout() throws IOException {
        // version, next frame index, last pts, flags (emittedAny 1), partition, last offset, last ingest time,
        // keyframe count, then each keyframe's offset and pts
        assertThat(write(full())).containsExactly(
                3,
                0, 0, 0, 0, 0, 0, 0, 5,
                0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8,
                1,
                0, 0, 0, 2,
                0, 0, 0, 0, 0, 0, 0x01, 0x2C,
                0, 0, 0, 0, 0, 0, 0, 5,
                2,
                0, 0, 0, 0, 0, 0, 0, (byte) 200,
                0, 0, 0, 0, 0, 0, 0x07, (byte) 0xD0,
                0, 0, 0, 0, 0, 0, 0x01, 0x04,
                0, 0, 0, 0, 0, 0, 0x0F, (byte) 0xA0);
        assertThat(write(new StreamPosition())).as("a stream never seen in Kafka").hasSize(1 + 8 + 8 + 1 + 4 + 8 + 8 + 1);
        StreamPosition most = full();
        for (int i = 0; i < 10; i++) {
            most.received(2, 400 + i, true, 9000 + i, 0);
        }
        assertThat(write(most)).as("the most a position takes, whatever the bitrate").hasSize(39 + StreamPosition.MAX_KEYFRAMES * 16);
        assertThat(S.getLength()).isEqualTo(-1);
    }

    @Test
    void versionsOneAndTwoAreStillReadWithoutAReplayRange() throws IOException {
        byte[] v1 = {
            1,
            0, 0, 0, 0, 0, 0, 0, 5,
            0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8,
            3,
            0, 0, 0, 3,
            0, 0, 0, 0, 0, 0, 0x10, 0};
        StreamPosition p = read(v1);
        assertThat(p.nextFrameIndex).isEqualTo(5);
        assertThat(p.lastEmittedPts).isEqualTo(1000);
        assertThat(p.emittedAny).isTrue();
        assertThat(p.canReplay()).as("the GOP was in list state: the stream resumes at a keyframe").isFalse();
        byte[] v2 = {
            2,
            0, 0, 0, 0, 0, 0, 0, 7,
            0, 0, 0, 0, 0, 0, 0x03, (byte) 0xE8,
            5,
            0, 0, 0, 3,
            0, 0, 0, 0, 0, 0, 0x10, 0,
            0, 0, 0, 2,
            0, 0, 0, 0, 0, 0, 0x07, (byte) 0xD0};
        StreamPosition q = read(v2);
        assertThat(q.nextFrameIndex).isEqualTo(7);
        assertThat(q.emittedAny).isTrue();
        assertThat(q.canReplay()).isFalse();
        assertThat(write(q)[0]).as("written back in the current format").isEqualTo((byte) 3);
        assertThat(read(write(q))).isEqualTo(q);
    }

    @Test
    void roundTrips() throws IOException {
        StreamPosition edge = new StreamPosition();
        edge.nextFrameIndex = Long.MAX_VALUE;
        edge.lastEmittedPts = Long.MIN_VALUE;
        edge.received(Integer.MAX_VALUE, Long.MAX_VALUE - 1, true, Long.MIN_VALUE, 0);
        StreamPosition[] positions = {new StreamPosition(), full(), edge};
        for (StreamPosition p : positions) {
            StreamPosition back = read(write(p));
            assertThat(back).isEqualTo(p).isNotSameAs(p);
            assertThat(back.toString()).isEqualTo(p.toString());
        }
    }

    @Test
    void unknownVersionOrKeyframeCountIsAnIoExceptionNamingIt() throws IOException {
        byte[] bytes = write(full());
        bytes[0] = 4;
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessage("unknown StreamPosition format version 4");
        bytes[0] = 0;
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessage("unknown StreamPosition format version 0");
        bytes[0] = 3;
        bytes[38] = 9;
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessage("StreamPosition with 9 keyframes");
    }

    @Test
    void copiesAreIndependent() throws IOException {
        StreamPosition p = full();
        assertThat(S.isImmutableType()).isFalse();
        StreamPosition c = S.copy(p);
        assertThat(c).isEqualTo(p).isNotSameAs(p);
        p.received(2, 500, true, 8000, 0);
        p.emitted(8000);
        assertThat(c.keyframes).isEqualTo(2);
        assertThat(c.lastOffset).isEqualTo(300);
        assertThat(c.nextFrameIndex).isEqualTo(5);
        assertThat(S.copy(p, new StreamPosition())).isEqualTo(p);
        assertThat(S.createInstance()).isEqualTo(new StreamPosition());

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
