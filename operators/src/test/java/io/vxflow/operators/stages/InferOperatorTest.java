package io.vxflow.operators.stages;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.operators.TestFrames;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.FrameHandleSerializer;
import io.vxflow.operators.slot.SlotRuntimeRegistry;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dynamic batching through Flink's test harness: a batch runs when full, when its oldest frame has
 * waited max-wait (processing time), before a checkpoint barrier, and at the end of input; frames
 * leave in arrival order.
 */
class InferOperatorTest {
    private static final int BATCH = 4;
    private static final long WAIT = 20;
    private static List<AccessUnit> units;

    @BeforeAll
    static void encode() {
        units = TestFrames.encode(SyntheticVideoEncoder.Profile.BASELINE, 12);
    }

    @Test
    void batchesRunWhenFullWhenTheOldestFrameHasWaitedBeforeABarrierAndAtTheEnd() throws Exception {
        PipelineSpec spec = PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).maxBatch(BATCH).maxWaitMillis(WAIT).build();
        InferOperator op = new InferOperator(spec);
        try (var h = new OneInputStreamOperatorTestHarness<FrameHandle, FrameHandle>(op)) {
            h.setup(FrameHandleSerializer.INSTANCE);
            h.open();
            h.setProcessingTime(0);
            SlotRuntime rt = op.runtime;
            try (VideoDecoder dec = rt.openDecoder(units.get(0).codec())) {
                List<DecodedFrame> frames = decode(dec);
                Feeder feed = new Feeder(h, rt, frames);
                // full: nothing until the 4th frame, then all 4 in order
                feed.next(3);
                assertThat(h.extractOutputValues()).isEmpty();
                feed.next(1);
                assertThat(batchSizes(h)).containsExactly(4, 4, 4, 4);
                assertThat(indices(h)).containsExactly(0L, 1L, 2L, 3L);
                // timeout: one frame, released when it has waited WAIT ms
                h.setProcessingTime(100);
                feed.next(1);
                h.setProcessingTime(100 + WAIT - 1);
                assertThat(indices(h)).isEmpty();
                h.setProcessingTime(100 + WAIT);
                assertThat(batchSizes(h)).containsExactly(1);
                assertThat(indices(h)).containsExactly(4L);
                // checkpoint barrier: a half-full batch is flushed first
                feed.next(2);
                h.prepareSnapshotPreBarrier(1);
                assertThat(batchSizes(h)).containsExactly(2, 2);
                assertThat(indices(h)).containsExactly(5L, 6L);
                // a timer armed for a batch that already ran does nothing to the next one
                feed.next(1);
                h.setProcessingTime(100 + 2 * WAIT - 1);
                assertThat(indices(h)).isEmpty();
                // end of input
                h.endInput();
                assertThat(indices(h)).containsExactly(7L);
                frames.forEach(DecodedFrame::release);
            }
        }
        assertThat(SlotRuntimeRegistry.openSlots()).as("the slot runtime is freed with its last operator").isZero();
    }

    private static List<DecodedFrame> decode(VideoDecoder dec) throws Exception {
        List<DecodedFrame> decoded = new ArrayList<>();
        for (AccessUnit u : units) {
            dec.decode(u, decoded::add);
        }
        dec.drain(decoded::add);
        return decoded;
    }

    private static List<Integer> batchSizes(OneInputStreamOperatorTestHarness<FrameHandle, FrameHandle> h) {
        List<Integer> out = new ArrayList<>();
        for (FrameHandle f : h.extractOutputValues()) {
            out.add(f.batchSize());
        }
        return out;
    }

    private static List<Long> indices(OneInputStreamOperatorTestHarness<FrameHandle, FrameHandle> h) {
        List<Long> out = new ArrayList<>();
        for (FrameHandle f : h.extractOutputValues()) {
            out.add(f.frameIndex());
            f.item().finish();
        }
        h.getOutput().clear();
        return out;
    }

    /** Runs the stages before infer on the operator's own slot runtime, then hands the frame over, as the chain does. */
    private static final class Feeder {
        private final OneInputStreamOperatorTestHarness<FrameHandle, FrameHandle> harness;
        private final SlotRuntime rt;
        private final List<DecodedFrame> frames;
        private int next;

        Feeder(OneInputStreamOperatorTestHarness<FrameHandle, FrameHandle> harness, SlotRuntime rt, List<DecodedFrame> frames) {
            this.harness = harness;
            this.rt = rt;
            this.frames = frames;
        }

        void next(int n) throws Exception {
            for (int k = 0; k < n; k++, next++) {
                DecodedFrame f = frames.get(next);
                FrameHandle h = new FrameHandle("cam", next, f, 0, "cpu");
                LetterboxGeometry g = LetterboxGeometry.fit(f.image().width(), f.image().height(), 640, 640);
                h.geometry(g);
                h.item(rt.normalize(rt.pad(rt.resize(f, g), g), g));
                harness.processElement(h, 0);
            }
        }
    }
}
