package io.vxflow.gpu.pipeline;

import java.util.ArrayDeque;
import java.util.function.Function;

/**
 * The batches of a slot, all created up front, and the one currently being filled. Running out
 * means more frames are in flight than the pool was sized for: a bug, reported as such, never a
 * silent allocation.
 */
public final class BatchPool {
    private final ArrayDeque<Batch> free = new ArrayDeque<>();
    private final java.util.List<Batch> all = new java.util.ArrayList<>();
    private final int size;
    private Batch filling;

    public BatchPool(int size, Function<BatchPool, Batch> factory) {
        this.size = size;
        for (int i = 0; i < size; i++) {
            Batch b = factory.apply(this);
            free.add(b);
            all.add(b);
        }
    }

    /** Reserves the next item, opening a batch from the pool when none is being filled. */
    public BatchItem reserve() {
        if (filling == null) {
            filling = free.poll();
            if (filling == null) {
                throw new IllegalStateException("all " + size + " batches are in flight; frames are not being finished");
            }
        }
        return filling.reserve();
    }

    /** The batch being filled, or null. */
    public Batch filling() {
        return filling;
    }

    /** Closes the batch being filled and returns it for inference; null when nothing is waiting. */
    public Batch takeFilling() {
        Batch b = filling;
        filling = null;
        if (b != null) {
            b.seal();
        }
        return b;
    }

    void release(Batch b) {
        free.add(b);
    }

    public int available() {
        return free.size();
    }

    /** Every batch of the pool, for cleanup. */
    public void forEach(java.util.function.Consumer<Batch> action) {
        all.forEach(action);
    }

    /** Frees every batch's own memory; the pool is unusable after. */
    public void free() {
        if (filling != null) {
            free.add(filling);
            filling = null;
        }
        for (Batch b : all) {
            b.free();
        }
    }
}
