package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.io.IOException;
import java.util.Random;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class AccessUnitSerializerTest {
    private static final AccessUnitSerializer S = AccessUnitSerializer.INSTANCE;

    private static byte[] write(AccessUnit u) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(8);
        S.serialize(u, out);
        return out.getCopyOfBuffer();
    }

    private static AccessUnit read(byte[] bytes) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        AccessUnit u = S.deserialize(in);
        assertThat(in.available()).isZero();
        return u;
    }

    private static void assertSameUnit(AccessUnit back, AccessUnit u) {
        assertThat(back.codec()).isEqualTo(u.codec());
        assertThat(back.ptsMicros()).isEqualTo(u.ptsMicros());
        assertThat(back.keyframe()).isEqualTo(u.keyframe());
        assertThat(back.data()).isEqualTo(u.data());
    }

    @Test
    void versionOneLayout() throws IOException {
        // version 1, writeUTF("hevc"), pts 0x0102, keyframe, length 2, bytes
        AccessUnit u = new AccessUnit(Codec.HEVC, 0x0102, true, new byte[] {0x40, 0x01});
        assertThat(write(u)).containsExactly(
                1,
                0, 4, 'h', 'e', 'v', 'c',
                0, 0, 0, 0, 0, 0, 1, 2,
                1,
                0, 0, 0, 2,
                0x40, 0x01);
        assertSameUnit(read(write(u)), u);
    }

    @Test
    void roundTrips() throws IOException {
        byte[] big = new byte[1 << 20];
        new Random(3).nextBytes(big);
        AccessUnit[] units = {
            new AccessUnit(Codec.H264, 0, true, new byte[] {0, 0, 0, 1, 0x67, 0x42}),
            new AccessUnit(Codec.H264, 33_333, false, new byte[] {0, 0, 1, 0x41}),
            new AccessUnit(Codec.HEVC, -1, false, new byte[0]),
            new AccessUnit(Codec.HEVC, Long.MAX_VALUE, true, big),
        };
        for (AccessUnit u : units) {
            assertSameUnit(read(write(u)), u);
        }
    }

    @Test
    void unknownVersionIsAnIoExceptionNamingIt() throws IOException {
        byte[] bytes = write(new AccessUnit(Codec.H264, 1, true, new byte[] {1}));
        bytes[0] = 2;
        assertThatThrownBy(() -> read(bytes)).isInstanceOf(IOException.class).hasMessage("unknown AccessUnit format version 2");
    }

    @Test
    void unknownCodecNameIsAnIoException() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(32);
        out.writeByte(1);
        out.writeUTF("vp9");
        out.writeLong(1);
        out.writeBoolean(true);
        out.writeInt(1);
        out.writeByte(7);
        assertThatThrownBy(() -> read(out.getCopyOfBuffer())).isInstanceOf(IOException.class).hasMessage("unknown codec vp9");
    }

    @Test
    void unitsAreImmutableSoCopiesAreTheSameInstance() throws IOException {
        AccessUnit u = new AccessUnit(Codec.H264, 1, true, new byte[] {1});
        assertThat(S.isImmutableType()).isTrue();
        assertThat(S.copy(u)).isSameAs(u);
        assertThat(S.copy(u, S.createInstance())).isSameAs(u);
        assertThat(S.createInstance().data()).isEmpty();
        byte[] bytes = write(u);
        DataOutputSerializer out = new DataOutputSerializer(8);
        S.copy(new DataInputDeserializer(bytes), out);
        assertThat(out.getCopyOfBuffer()).isEqualTo(bytes);
    }

    @Test
    void snapshotRestoresTheSameSerializer() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, S.snapshotConfiguration());
        TypeSerializerSnapshot<AccessUnit> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored).isInstanceOf(AccessUnitSerializer.Snapshot.class);
        assertThat(restored.restoreSerializer()).isSameAs(S);
        assertThat(S.snapshotConfiguration().resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
    }
}
