package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameRecordSerializer;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.decode.DecodeError;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.operators.TestFrames;
import io.vxflow.operators.chain.FrameChain;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.FrameHandleSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The decode operator through Flink's keyed test harness: restore mid-GOP, idle drain, bad input. */
class DecodeOperatorTest {
    private static final long IDLE = 2_000;

    private static PipelineSpec spec() {
        return PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).build();
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FrameRecord, FrameHandle> harness(DecodeOperator op) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(op, new FrameChain.StreamIdSelector(), Types.STRING, 1, 1, 0);
        h.setup(FrameHandleSerializer.INSTANCE);
        return h;
    }

    /** Pts of the emitted frames, releasing each frame as a downstream stage would. */
    private static List<Long> drainPts(KeyedOneInputStreamOperatorTestHarness<String, FrameRecord, FrameHandle> h) {
        List<Long> pts = new ArrayList<>();
        for (FrameHandle f : h.extractOutputValues()) {
            pts.add(f.ptsMicros());
            f.releaseFrame();
        }
        h.getOutput().clear();
        return pts;
    }

    @Test
    void restoreMidGopWithHeldBFramesEmitsEveryFrameExactlyOnce() throws Exception {
        List<FrameRecord> stream = TestFrames.stream("cam", Profile.HIGH_BFRAMES, 70);
        List<Long> seen = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(new DecodeOperator(spec(), 60_000, 600, 32L << 20))) {
            h.open();
            for (FrameRecord r : stream.subList(0, 41)) {
                h.processElement(r, 0);
            }
            seen.addAll(drainPts(h));
            assertThat(seen.size()).as("B-frames are held back").isLessThan(41);
            snapshot = h.snapshot(1, 1);
            // the original keeps running after the checkpoint; what it emits now is lost with its failure
            h.processElement(stream.get(41), 0);
        }
        try (var h = harness(new DecodeOperator(spec(), 60_000, 600, 32L << 20))) {
            h.initializeState(snapshot);
            h.open();
            for (FrameRecord r : stream.subList(41, stream.size())) {
                h.processElement(r, 0);
            }
            h.endInput();
            seen.addAll(drainPts(h));
        }
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            expected.add(SyntheticVideoEncoder.ptsMicros(i));
        }
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void anIdleStreamIsDrainedAndResumesMidGopInOrderWithoutRepeatingFrames() throws Exception {
        List<FrameRecord> stream = TestFrames.stream("cam", Profile.HIGH_BFRAMES, 45);
        DecodeOperator op = new DecodeOperator(spec(), IDLE, 600, 32L << 20);
        List<Long> seen = new ArrayList<>();
        try (var h = harness(op)) {
            h.open();
            h.setProcessingTime(0);
            for (FrameRecord r : stream.subList(0, 20)) {
                h.processElement(r, 0);
            }
            seen.addAll(drainPts(h));
            assertThat(seen.size()).as("B-frames held back").isLessThan(20);
            h.setProcessingTime(IDLE);
            seen.addAll(drainPts(h));
            assertThat(seen).as("the idle drain hands out every frame fed so far").hasSize(20);
            // a false idle (the slot stalled while data waited): the stream goes on mid-GOP
            for (FrameRecord r : stream.subList(20, 45)) {
                h.processElement(r, 0);
            }
            h.endInput();
            seen.addAll(drainPts(h));
        }
        // strictly increasing pts: nothing repeated, nothing out of order
        assertThat(seen).isSorted().doesNotHaveDuplicates();
        assertThat(seen.size()).as("at most the reordering depth, overtaken by the drain, is missing").isBetween(42, 45);
        assertThat(op.suppressedOutOfOrder()).as("withheld: repeats of drained frames and the overtaken ones").isGreaterThanOrEqualTo(45L - seen.size());
        assertThat(op.badInputCount(DecodeError.NO_KEYFRAME)).as("no wait for a keyframe").isZero();
    }

    @Test
    void aDecoderThatHoldsNothingIsNotDrainedWhenIdle() throws Exception {
        List<FrameRecord> stream = TestFrames.stream("cam", Profile.BASELINE, 40);
        DecodeOperator op = new DecodeOperator(spec(), IDLE, 600, 32L << 20);
        List<Long> seen = new ArrayList<>();
        try (var h = harness(op)) {
            h.open();
            h.setProcessingTime(0);
            for (FrameRecord r : stream.subList(0, 12)) {
                h.processElement(r, 0);
            }
            seen.addAll(drainPts(h));
            assertThat(seen).as("constrained baseline: no reordering delay").hasSize(12);
            h.setProcessingTime(IDLE);
            for (FrameRecord r : stream.subList(12, 40)) {
                h.processElement(r, 0);
            }
            seen.addAll(drainPts(h));
        }
        assertThat(seen).hasSize(40);
        assertThat(op.badInputCount(DecodeError.NO_KEYFRAME)).isZero();
    }

    @Test
    void anEvictedStreamReturningAtAKeyframeLosesAndRepeatsNothing() throws Exception {
        List<FrameRecord> stream = TestFrames.stream("cam", Profile.HIGH_BFRAMES, 60);
        DecodeOperator op = new DecodeOperator(spec(), IDLE, 5 * IDLE, 600, 32L << 20);
        List<Long> seen = new ArrayList<>();
        try (var h = harness(op)) {
            h.open();
            h.setProcessingTime(0);
            for (FrameRecord r : stream.subList(0, 30)) {
                h.processElement(r, 0);
            }
            h.setProcessingTime(5 * IDLE);
            assertThat(op.openStreams()).as("evicted").isZero();
            seen.addAll(drainPts(h));
            for (FrameRecord r : stream.subList(30, 60)) { // back at the IDR of frame 30
                h.processElement(r, 0);
            }
            h.endInput();
            seen.addAll(drainPts(h));
        }
        assertThat(seen).containsExactlyElementsOf(ptsRange(0, 60));
        assertThat(op.suppressedOutOfOrder()).isZero();
    }

    @Test
    void anEvictedStreamReturningMidGopWaitsForItsNextKeyframe() throws Exception {
        List<FrameRecord> stream = TestFrames.stream("cam", Profile.HIGH_BFRAMES, 45);
        DecodeOperator op = new DecodeOperator(spec(), IDLE, 5 * IDLE, 600, 32L << 20);
        List<Long> seen = new ArrayList<>();
        try (var h = harness(op)) {
            h.open();
            h.setProcessingTime(0);
            for (FrameRecord r : stream.subList(0, 20)) {
                h.processElement(r, 0);
            }
            h.setProcessingTime(5 * IDLE);
            seen.addAll(drainPts(h));
            assertThat(seen).as("drained before the decoder closed: the frames of the first 20 access units")
                    .containsExactlyElementsOf(sortedPts(stream.subList(0, 20)));
            for (FrameRecord r : stream.subList(20, 45)) {
                h.processElement(r, 0);
            }
            h.endInput();
            seen.addAll(drainPts(h));
        }
        List<Long> expected = sortedPts(stream.subList(0, 20));
        expected.addAll(ptsRange(30, 45));
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(op.badInputCount(DecodeError.NO_KEYFRAME)).isEqualTo(10);
    }

    @Test
    void everyCheckpointPositionAroundAKeyframeRestoresExactly() throws Exception {
        List<FrameRecord> stream = TestFrames.stream("cam", Profile.HIGH_BFRAMES, 70);
        for (int cut = 26; cut <= 36; cut++) {
            List<Long> seen = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var h = harness(new DecodeOperator(spec(), 60_000, 600, 32L << 20))) {
                h.open();
                for (FrameRecord r : stream.subList(0, cut)) {
                    h.processElement(r, 0);
                }
                seen.addAll(drainPts(h));
                snapshot = h.snapshot(1, 1);
            }
            try (var h = harness(new DecodeOperator(spec(), 60_000, 600, 32L << 20))) {
                h.initializeState(snapshot);
                h.open();
                for (FrameRecord r : stream.subList(cut, stream.size())) {
                    h.processElement(r, 0);
                }
                h.endInput();
                seen.addAll(drainPts(h));
            }
            assertThat(seen).as("checkpoint after %d access units", cut).containsExactlyElementsOf(ptsRange(0, 70));
        }
    }

    @Test
    void aCheckpointAfterAnIdleDrainRestoresAtTheNextKeyframeWithoutRepeats() throws Exception {
        List<FrameRecord> stream = TestFrames.stream("cam", Profile.HIGH_BFRAMES, 60);
        List<Long> seen = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(new DecodeOperator(spec(), IDLE, 600, 32L << 20))) {
            h.open();
            h.setProcessingTime(0);
            for (FrameRecord r : stream.subList(0, 30)) {
                h.processElement(r, 0);
            }
            h.setProcessingTime(IDLE);
            seen.addAll(drainPts(h));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(new DecodeOperator(spec(), IDLE, 600, 32L << 20))) {
            h.initializeState(snapshot);
            h.open();
            for (FrameRecord r : stream.subList(30, 60)) {
                h.processElement(r, 0);
            }
            h.endInput();
            seen.addAll(drainPts(h));
        }
        assertThat(seen).containsExactlyElementsOf(ptsRange(0, 60));
    }

    @Test
    void aCodecChangeHandsOutWhatTheOldDecoderHeld() throws Exception {
        List<FrameRecord> h264 = TestFrames.stream("cam", Profile.HIGH_BFRAMES, 20);
        List<FrameRecord> hevc = new ArrayList<>();
        for (FrameRecord r : TestFrames.stream("cam", Profile.HEVC_MAIN, 30)) {
            AccessUnit u = r.unit();
            hevc.add(FrameRecord.valid("cam", new AccessUnit(u.codec(), u.ptsMicros() + SyntheticVideoEncoder.ptsMicros(20), u.keyframe(), u.data()), 0));
        }
        DecodeOperator op = new DecodeOperator(spec(), 60_000, 600, 32L << 20);
        List<Long> seen = new ArrayList<>();
        try (var h = harness(op)) {
            h.open();
            for (FrameRecord r : h264) {
                h.processElement(r, 0);
            }
            for (FrameRecord r : hevc) {
                h.processElement(r, 0);
            }
            h.endInput();
            seen.addAll(drainPts(h));
        }
        List<Long> expected = ptsRange(0, 20);
        expected.addAll(sortedPts(hevc));
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(op.badInputCount(DecodeError.CODEC_CHANGE)).isEqualTo(1);
    }

    private static List<Long> sortedPts(List<FrameRecord> records) {
        List<Long> out = new ArrayList<>();
        records.forEach(r -> out.add(r.unit().ptsMicros()));
        out.sort(null);
        return out;
    }

    private static List<Long> ptsRange(int from, int to) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(SyntheticVideoEncoder.ptsMicros(i));
        }
        return out;
    }

    @Test
    void badRecordsAreCountedPerReasonAndOtherStreamsAreUntouched() throws Exception {
        List<FrameRecord> good = TestFrames.stream("good", Profile.BASELINE, 12);
        List<FrameRecord> bad = new ArrayList<>(TestFrames.stream("bad", Profile.BASELINE, 12));
        bad.set(3, FrameRecord.invalid("bad", DecodeError.UNKNOWN_CODEC, "unknown codec 'vp8'", 0));
        bad.set(5, FrameRecord.invalid("bad", DecodeError.MISSING_PTS, "no pts header", 0));
        AccessUnit u = bad.get(7).unit();
        bad.set(7, FrameRecord.valid("bad", new AccessUnit(u.codec(), u.ptsMicros(), false, new byte[] {0, 0, 0, 1, 0x41, 1, 2, 3}), 0));
        DecodeOperator op = new DecodeOperator(spec(), IDLE, 600, 32L << 20);
        List<Long> goodPts = new ArrayList<>();
        int badFrames = 0;
        try (var h = harness(op)) {
            h.open();
            for (FrameRecord r : TestFrames.interleave(good, bad)) {
                h.processElement(r, 0);
            }
            h.endInput();
            for (FrameHandle f : h.extractOutputValues()) {
                if (f.streamId().equals("good")) {
                    goodPts.add(f.ptsMicros());
                } else {
                    badFrames++;
                }
                f.releaseFrame();
            }
        }
        assertThat(goodPts).hasSize(12);
        assertThat(badFrames).as("frames 0..2 of the bad stream; the rest of its GOP waits for a keyframe").isEqualTo(3);
        assertThat(op.badInputCount(DecodeError.UNKNOWN_CODEC)).isEqualTo(1);
        assertThat(op.badInputCount(DecodeError.MISSING_PTS)).isEqualTo(1);
        assertThat(op.badInputCount(DecodeError.NO_KEYFRAME)).isEqualTo(12 - 3 - 2);
    }

    @Test
    void frameRecordsRoundTripThroughTheirSerializerUnchanged() throws Exception {
        // the harness serializes inputs through the type's serializer; make sure ours is the one used
        assertThat(new io.vxflow.connectors.frames.FrameRecordTypeInfo().createSerializer(null)).isSameAs(FrameRecordSerializer.INSTANCE);
    }

}
