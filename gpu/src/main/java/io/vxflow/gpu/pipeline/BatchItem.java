package io.vxflow.gpu.pipeline;

/**
 * One frame's place in a {@link Batch}: the index of its image in the batch tensors and of its
 * detections and crops in the batch's storage. {@link #finish()} gives the place back once the
 * frame's result has been read; the batch returns to its pool when all its items are finished.
 */
public final class BatchItem {
    private final Batch batch;
    private final int index;
    private boolean finished;

    BatchItem(Batch batch, int index) {
        this.batch = batch;
        this.index = index;
    }

    public Batch batch() {
        return batch;
    }

    public int index() {
        return index;
    }

    public boolean isFinished() {
        return finished;
    }

    /** Idempotent. */
    public void finish() {
        if (!finished) {
            finished = true;
            batch.finishItem();
        }
    }
}
