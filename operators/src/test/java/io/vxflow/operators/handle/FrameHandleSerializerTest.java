package io.vxflow.operators.handle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.Image;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FrameHandleSerializerTest {
    private static final FrameHandleSerializer S = FrameHandleSerializer.INSTANCE;

    /** A decoded frame that is never read: the serializer only ever sees the handle. */
    private static final class StubFrame implements DecodedFrame {
        private final Image image = HostImage.allocateRgb(2, 2);

        @Override
        public long ptsMicros() {
            return 40_000;
        }

        @Override
        public ColorSpec colorSpec() {
            return ColorSpec.BT601_LIMITED;
        }

        @Override
        public Image image() {
            return image;
        }

        @Override
        public void release() {}

        @Override
        public boolean isReleased() {
            return false;
        }
    }

    private static FrameHandle handle() {
        return new FrameHandle("cam-1", 3, new StubFrame(), 1_000, "cpu");
    }

    @Test
    void copyHandsOnTheSameHandle() {
        FrameHandle h = handle();
        assertThat(S.copy(h)).isSameAs(h);
        assertThat(S.copy(h, handle())).isSameAs(h);
        assertThat(S.isImmutableType()).isFalse();
        assertThat(S.duplicate()).isSameAs(S);
    }

    @Test
    void everyFormOfSerializationIsRefusedWithTheReason() {
        FrameHandle h = handle();
        DataOutputSerializer out = new DataOutputSerializer(8);
        DataInputDeserializer in = new DataInputDeserializer(new byte[16]);
        assertRefused(() -> S.serialize(h, out));
        assertRefused(() -> S.deserialize(in));
        assertRefused(() -> S.deserialize(h, in));
        assertRefused(() -> S.copy(in, out));
        assertThat(out.length()).isZero();
    }

    @Test
    void snapshotRestoresTheSameSerializer() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, S.snapshotConfiguration());
        TypeSerializerSnapshot<FrameHandle> restored =
                TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isSameAs(S);
    }

    private static void assertRefused(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("cannot be serialized")
                .hasMessageContaining("must stay inside one operator chain")
                .hasMessageContaining("FrameChainValidator");
    }
}
