package io.vxflow.gpu.pipeline;

/**
 * One inference batch of a slot: the input tensor that normalize writes images into, the output
 * tensor inference fills, and per-item storage for what postprocess, crop and read produce. The
 * concrete class belongs to the backend and holds host or device buffers sized once, in the slot's
 * {@code open()}.
 *
 * <p>Life cycle: open (items {@link #reserve() reserved} one per frame) → closed by inference →
 * each item {@link BatchItem#finish() finished} once its result is read → back to the slot's pool,
 * empty. Not thread-safe: one task thread owns the slot.
 */
public abstract class Batch {
    private final int capacity;
    private final BatchPool pool;
    private int size;
    private int unfinished;
    private boolean closed;
    private long openedNanos;

    protected Batch(int capacity, BatchPool pool) {
        this.capacity = capacity;
        this.pool = pool;
    }

    public final int capacity() {
        return capacity;
    }

    public final int size() {
        return size;
    }

    public final boolean isFull() {
        return size == capacity;
    }

    public final boolean isClosed() {
        return closed;
    }

    /** When the first item was reserved ({@link System#nanoTime()}), for the wait histogram. */
    public final long openedNanos() {
        return openedNanos;
    }

    /** Takes the next free item; the batch must be open and not full. */
    final BatchItem reserve() {
        if (closed || isFull()) {
            throw new IllegalStateException("batch is " + (closed ? "closed" : "full"));
        }
        if (size == 0) {
            openedNanos = System.nanoTime();
        }
        unfinished++;
        return new BatchItem(this, size++);
    }

    /** Marks the batch as submitted to inference: no more items. */
    final void seal() {
        closed = true;
    }

    /** Frees what the batch owns beyond its slot's context (host tensors); called once, when the slot closes. */
    protected void free() {}

    final void finishItem() {
        if (--unfinished == 0 && closed) {
            size = 0;
            closed = false;
            pool.release(this);
        }
    }
}
