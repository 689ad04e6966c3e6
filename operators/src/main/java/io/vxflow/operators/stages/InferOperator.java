package io.vxflow.operators.stages;

import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Infer with cross-stream dynamic batching: frames of any of the slot's streams fill the batch
 * (normalize already wrote each into its item); the batch runs when it is full or when its oldest
 * frame has waited {@code maxWaitMillis} (a processing-time timer, delivered through the task's
 * mailbox), then its frames go downstream in arrival order, so each stream stays in pts order.
 * In-flight frames are flushed before every checkpoint barrier and at the end of input, so a
 * checkpoint never holds a half-filled batch.
 *
 * <p>Frames dropped under the overload policy take no place in a batch but queue behind the frames
 * already waiting, so no stream's results overtake each other. Each flush marks its last frame
 * ({@link FrameHandle#lastOfFlush()}): the result stage reads the whole group with one copy.
 *
 * <p>Metrics: {@code batchSize} and {@code batchWaitMillis} histograms, {@code batches} counter.
 */
public final class InferOperator extends ChainStageOperator<FrameHandle> implements BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private transient List<FrameHandle> pending;
    private transient long generation;
    private transient Histogram batchSize;
    private transient Histogram batchWait;
    private transient Counter batches;

    public InferOperator(PipelineSpec spec) {
        super(spec, null);
    }

    @Override
    public void open() throws Exception {
        super.open();
        pending = new ArrayList<>(spec.maxBatch());
        batchSize = getMetricGroup().histogram("batchSize", new DescriptiveStatisticsHistogram(2048));
        batchWait = getMetricGroup().histogram("batchWaitMillis", new DescriptiveStatisticsHistogram(2048));
        batches = getMetricGroup().counter("batches");
    }

    @Override
    boolean takesDropped() {
        return true;
    }

    @Override
    FrameHandle process(FrameHandle h) {
        if (h.dropped() != null) {
            if (pending.isEmpty()) {
                h.lastOfFlush(true);
                output.collect(new StreamRecord<>(h));
            } else {
                pending.add(h);
            }
            return null;
        }
        pending.add(h);
        Batch filling = runtime.filling();
        if (spec.maxWaitMillis() == 0 || filling == null || filling.isFull()) {
            flush();
        } else if (filling.size() == 1) {
            long gen = generation;
            long now = getProcessingTimeService().getCurrentProcessingTime();
            getProcessingTimeService().registerTimer(now + spec.maxWaitMillis(), t -> {
                if (gen == generation && !pending.isEmpty()) {
                    flush();
                }
            });
        }
        return null;
    }

    /** Runs the batch being filled and sends its frames on. */
    void flush() {
        generation++;
        if (pending.isEmpty()) {
            return;
        }
        long t0 = System.nanoTime();
        Batch b = runtime.infer();
        long inferNanos = System.nanoTime() - t0;
        int size = 0;
        if (b != null) {
            size = b.size();
            batchSize.update(size);
            batchWait.update((t0 - b.openedNanos()) / 1_000_000);
            batches.inc();
        }
        for (int i = 0; i < pending.size(); i++) {
            FrameHandle h = pending.get(i);
            if (h.dropped() == null) {
                h.addStageNanos(Stage.BATCH_WAIT, t0 - h.batchedAtNanos());
                h.addStageNanos(Stage.INFER, inferNanos);
                h.batchSize(size);
            }
            h.lastOfFlush(i == pending.size() - 1);
            output.collect(new StreamRecord<>(h));
        }
        pending.clear();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        flush();
    }

    @Override
    public void endInput() {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    /** On cancellation or failure, frames still waiting for their batch give back what they hold. */
    @Override
    public void close() throws Exception {
        try {
            if (pending != null) {
                for (FrameHandle h : pending) {
                    h.releaseAll();
                }
                pending.clear();
            }
        } finally {
            super.close();
        }
    }
}
