package io.vxflow.operators.route;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;

/** Stream keys land in exactly the key group they name, by Flink's own assignment, for any max parallelism. */
class StreamKeyTest {
    @Test
    void everyKeyLandsInItsKeyGroupByFlinksAssignment() {
        for (int maxP : new int[] {1, 2, 7, 128, 1000, 1024, 32768}) {
            for (int group = 0; group < maxP; group++) {
                StreamKey k = StreamKey.of("cam-" + group, group, maxP);
                assertThat(KeyGroupRangeAssignment.assignToKeyGroup(k, maxP)).as("key group %d of %d", group, maxP).isEqualTo(group);
            }
        }
    }

    @Test
    void aHashedKeyGoesWhereKeyByStreamIdWouldAndEqualityIsByStreamAndKeyGroup() {
        for (int i = 0; i < 1000; i++) {
            String id = "stream-" + i;
            StreamKey k = StreamKey.hashed(id, 128);
            assertThat(k.keyGroup()).isEqualTo(KeyGroupRangeAssignment.assignToKeyGroup(id, 128));
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(k, 128)).isEqualTo(k.keyGroup());
        }
        assertThat(StreamKey.of("a", 3, 128)).isEqualTo(StreamKey.of("a", 3, 128)).isNotEqualTo(StreamKey.of("a", 4, 128))
                .isNotEqualTo(StreamKey.of("b", 3, 128));
    }

    @Test
    void theSerializerKeepsIdKeyGroupAndHash() throws Exception {
        StreamKey k = StreamKey.of("caméra-7", 1023, 1024);
        DataOutputSerializer out = new DataOutputSerializer(64);
        StreamKeySerializer.INSTANCE.serialize(k, out);
        StreamKey back = StreamKeySerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(k);
        assertThat(back.hashCode()).isEqualTo(k.hashCode());
        assertThat(KeyGroupRangeAssignment.assignToKeyGroup(back, 1024)).isEqualTo(1023);
        assertThat(StreamKeyTypeInfo.INSTANCE.isKeyType()).isTrue();
    }
}
