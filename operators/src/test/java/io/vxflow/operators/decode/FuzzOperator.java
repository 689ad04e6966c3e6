package io.vxflow.operators.decode;

import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.chain.FrameChain;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.FrameHandleSerializer;
import io.vxflow.operators.route.StreamKey;
import io.vxflow.operators.route.StreamKeyTypeInfo;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.runtime.tasks.mailbox.TaskMailbox;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/**
 * The real {@link DecodeOperator} (CPU backend: FFmpeg software decoders on the shared decode
 * workers) in Flink's keyed test harness, driven the way its task thread is: records in, then the
 * mailbox worked until every unit's events came back. Owns the harness.
 */
final class FuzzOperator implements AutoCloseable {
    /** Emitted frames of one settle: stream, pts, number and a checksum of the pixels (the frame itself is released). */
    record Out(String stream, long pts, long frameIndex, long checksum, int width, int height) {}

    private final DecodeOperator op;
    private final KeyedOneInputStreamOperatorTestHarness<StreamKey, Tuple2<StreamKey, FrameRecord>, FrameHandle> harness;
    private final long[] badBefore = new long[DecodeError.values().length];

    FuzzOperator(int workers) throws Exception {
        PipelineSpec spec = PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).build();
        // idle flush and eviction never fire: the harness's processing time stays at 0
        DecodeSettings settings = DecodeSettings.defaults(workers).withWorkers(workers, 4 * workers).withIdleFlush(60_000).withEviction(600_000);
        op = new DecodeOperator(spec, settings, null);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(op, new FrameChain.RoutedKeySelector(), StreamKeyTypeInfo.INSTANCE);
        harness.setup(FrameHandleSerializer.INSTANCE);
        harness.open();
    }

    void feed(FrameRecord r) throws Exception {
        harness.processElement(Routed.hashed(r, 1), 0); // the harness has one key group
    }

    /** Works the mailbox until no unit is on the workers (blocking: a hang is the watchdog's to report). */
    void settle() throws Exception {
        TaskMailbox mailbox = harness.getTaskMailbox();
        while (op.inFlight() > 0) {
            mailbox.take(TaskMailbox.MIN_PRIORITY).run();
        }
    }

    /** Ends the input: every decoder still decoding hands out what it holds. */
    void endInput() throws Exception {
        harness.endInput();
        settle();
    }

    /** The frames emitted since the last call, checksummed and released. */
    List<Out> takeFrames() {
        List<Out> out = new ArrayList<>();
        for (FrameHandle h : harness.extractOutputValues()) {
            try {
                out.add(new Out(h.streamId(), h.ptsMicros(), h.frameIndex(), FrameChecksum.of(h.frame()), h.width(), h.height()));
            } finally {
                h.releaseFrame();
            }
        }
        harness.getOutput().clear();
        return out;
    }

    /** Bad input counted since the last call, by reason (index: {@link DecodeError#ordinal()}). */
    long[] takeBadInput() {
        long[] delta = new long[badBefore.length];
        for (DecodeError e : DecodeError.values()) {
            long now = op.badInputCount(e);
            delta[e.ordinal()] = now - badBefore[e.ordinal()];
            badBefore[e.ordinal()] = now;
        }
        return delta;
    }

    long badInputTotal(DecodeError e) {
        return op.badInputCount(e);
    }

    int openStreams() {
        return op.openStreams();
    }

    @Override
    public void close() throws Exception {
        harness.close();
    }
}
