package io.vxflow.gpu.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPoolTest {

    /** A batch with no storage: the life cycle is all in Batch. */
    private static final class PlainBatch extends Batch {
        PlainBatch(int capacity, BatchPool pool) {
            super(capacity, pool);
        }
    }

    private final List<Batch> created = new ArrayList<>();

    private BatchPool pool(int batches, int capacity) {
        return new BatchPool(batches, p -> {
            Batch b = new PlainBatch(capacity, p);
            created.add(b);
            return b;
        });
    }

    @Test
    void createsEveryBatchUpFront() {
        BatchPool pool = pool(3, 4);
        assertThat(created).hasSize(3);
        assertThat(pool.available()).isEqualTo(3);
        assertThat(pool.filling()).isNull();
        assertThat(pool.takeFilling()).isNull();
    }

    @Test
    void reserveOpensABatchAndNumbersItsItems() {
        BatchPool pool = pool(2, 3);
        long before = System.nanoTime();
        BatchItem a = pool.reserve();
        Batch b = pool.filling();
        assertThat(b).isSameAs(created.get(0)).isSameAs(a.batch());
        assertThat(pool.available()).isEqualTo(1);
        assertThat(b.openedNanos()).isBetween(before, System.nanoTime());
        assertThat(b.capacity()).isEqualTo(3);
        BatchItem c = pool.reserve();
        assertThat(b.isFull()).isFalse();
        BatchItem d = pool.reserve();
        assertThat(new int[] {a.index(), c.index(), d.index()}).containsExactly(0, 1, 2);
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.isFull()).isTrue();
        assertThat(b.isClosed()).isFalse();
        assertThatThrownBy(pool::reserve).isInstanceOf(IllegalStateException.class).hasMessage("batch is full");
    }

    @Test
    void takeFillingClosesTheBatchAndTheNextReserveOpensAnother() {
        BatchPool pool = pool(2, 3);
        BatchItem a = pool.reserve();
        Batch first = pool.takeFilling();
        assertThat(first).isSameAs(a.batch());
        assertThat(first.isClosed()).isTrue();
        assertThat(first.size()).isEqualTo(1);
        assertThat(pool.filling()).isNull();
        assertThat(pool.takeFilling()).isNull();
        BatchItem b = pool.reserve();
        assertThat(b.batch()).isSameAs(created.get(1)).isNotSameAs(first);
        assertThat(b.index()).isZero();
        assertThat(pool.available()).isZero();
    }

    @Test
    void aBatchReturnsToThePoolOnlyWhenAllItsItemsAreFinished() {
        BatchPool pool = pool(1, 3);
        BatchItem a = pool.reserve(), b = pool.reserve(), c = pool.reserve();
        Batch batch = pool.takeFilling();
        a.finish();
        c.finish();
        assertThat(pool.available()).isZero();
        assertThat(batch.isClosed()).isTrue();
        assertThat(a.isFinished()).isTrue();
        assertThat(b.isFinished()).isFalse();
        c.finish(); // idempotent: does not count twice
        assertThat(pool.available()).isZero();
        b.finish();
        assertThat(pool.available()).isEqualTo(1);
        assertThat(batch.isClosed()).isFalse();
        assertThat(batch.size()).isZero();
        b.finish();
        a.finish();
        assertThat(pool.available()).isEqualTo(1);

        // reused from the start
        BatchItem again = pool.reserve();
        assertThat(again.batch()).isSameAs(batch);
        assertThat(again.index()).isZero();
        assertThat(again.isFinished()).isFalse();
    }

    @Test
    void runningOutOfBatchesIsReportedAsABug() {
        BatchPool pool = pool(2, 1);
        BatchItem first = pool.reserve();
        pool.takeFilling();
        pool.reserve();
        pool.takeFilling();
        assertThatThrownBy(pool::reserve).isInstanceOf(IllegalStateException.class)
                .hasMessage("all 2 batches are in flight; frames are not being finished");
        first.finish();
        assertThat(pool.available()).isEqualTo(1);
        assertThat(pool.reserve().batch()).isSameAs(first.batch());
    }
}
