package io.vxflow.gpu.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class HostTensorTest {

    @Test
    void shapeAndItemSize() {
        HostTensor t = HostTensor.allocate(4, 3, 2, 5);
        assertThat(t.shape()).containsExactly(4, 3, 2, 5);
        assertThat(t.itemSize()).isEqualTo(30); // 3 * 2 * 5
        assertThat(t.data().capacity()).isEqualTo(120);
        assertThat(t.data().isDirect()).isTrue();
        assertThat(t.data().order()).isEqualTo(ByteOrder.nativeOrder());
        long[] shape = t.shape();
        shape[0] = 99;
        assertThat(t.shape()[0]).isEqualTo(4);
        assertThat(HostTensor.allocate(7).itemSize()).isEqualTo(1);
    }

    @Test
    void itemViewsShareTheTensorsMemory() {
        HostTensor t = HostTensor.allocate(3, 2, 2);
        FloatBuffer item1 = t.item(1);
        assertThat(item1.position()).isZero();
        assertThat(item1.remaining()).isEqualTo(4);
        item1.put(0, 10f).put(3, 13f);
        t.item(2).put(0, 20f);
        FloatBuffer all = t.data();
        assertThat(all.position()).isZero();
        assertThat(all.remaining()).isEqualTo(12);
        float[] got = new float[12];
        all.get(got);
        assertThat(got).containsExactly(0, 0, 0, 0, 10, 0, 0, 13, 20, 0, 0, 0);
        // writing through data() is seen by item()
        t.data().put(3, 3f);
        assertThat(t.item(0).get(3)).isEqualTo(3f);
    }

    @Test
    void firstItemsCoversAPartlyFilledBatch() {
        HostTensor t = HostTensor.allocate(4, 3);
        t.data().put(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        FloatBuffer two = t.firstItems(2);
        assertThat(two.remaining()).isEqualTo(6);
        float[] got = new float[6];
        two.get(got);
        assertThat(got).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(t.firstItems(4).remaining()).isEqualTo(12);
        assertThat(t.firstItems(0).remaining()).isZero();
    }

    @Test
    void viewsDoNotDisturbEachOther() {
        HostTensor t = HostTensor.allocate(2, 2);
        t.data().position(3);
        t.item(0).position(1);
        assertThat(t.data().position()).isZero();
        assertThat(t.item(0).position()).isZero();
    }

    @Test
    void rejectsBadShapesAndIndices() {
        assertThatThrownBy(() -> HostTensor.allocate(2, 0, 3)).isInstanceOf(IllegalArgumentException.class).hasMessage("bad shape [2, 0, 3]");
        HostTensor t = HostTensor.allocate(2, 3);
        assertThatThrownBy(() -> t.item(2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessage("item 2 of 2");
        assertThatThrownBy(() -> t.item(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
