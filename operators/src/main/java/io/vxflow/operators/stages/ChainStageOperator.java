package io.vxflow.operators.stages;

import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import io.vxflow.operators.slot.SlotLease;
import io.vxflow.operators.slot.SlotRuntimeRegistry;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Base of the chained stage operators: holds the immutable {@link PipelineSpec} from construction,
 * takes the slot's {@link SlotRuntime} in {@code open()} and lets go of it in {@code close()}.
 * Subclasses implement {@link #process}; its time is added to the handle's {@code stage}, unless the
 * stage is null because the subclass records its own times. Frames dropped under the overload policy
 * pass through untouched unless the subclass {@link #takesDropped() takes them}.
 */
abstract class ChainStageOperator<OUT> extends AbstractStreamOperator<OUT> implements OneInputStreamOperator<FrameHandle, OUT> {
    private static final long serialVersionUID = 1L;
    protected final PipelineSpec spec;
    private final Stage stage;
    protected transient SlotRuntime runtime;
    private transient SlotLease slot;

    ChainStageOperator(PipelineSpec spec, Stage stage) {
        this.spec = spec;
        this.stage = stage;
    }

    @Override
    public void open() throws Exception {
        super.open();
        slot = SlotRuntimeRegistry.acquire(getRuntimeContext(), spec);
        runtime = slot.runtime();
    }

    @Override
    public final void processElement(StreamRecord<FrameHandle> element) throws Exception {
        FrameHandle h = element.getValue();
        if (h.dropped() != null && !takesDropped()) {
            output.collect(passThrough(element));
            return;
        }
        long t0 = System.nanoTime();
        OUT out = process(h);
        if (stage != null) {
            h.addStageNanos(stage, System.nanoTime() - t0);
        }
        if (out != null) {
            output.collect(element.replace(out));
        }
    }

    @SuppressWarnings("unchecked")
    private static <OUT> StreamRecord<OUT> passThrough(StreamRecord<FrameHandle> element) {
        return (StreamRecord<OUT>) (StreamRecord<?>) element; // only stages whose output is the frame handle pass frames through
    }

    /** The slot this operator holds (between open and close). */
    SlotLease slot() {
        return slot;
    }

    /** Whether {@link #process} sees frames dropped under the overload policy (infer orders them, result writes them). */
    boolean takesDropped() {
        return false;
    }

    /** Runs this stage on one frame; returns what goes downstream, or null for nothing now. */
    abstract OUT process(FrameHandle h) throws Exception;

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (slot != null) {
                slot.close();
                slot = null;
            }
        }
    }
}
