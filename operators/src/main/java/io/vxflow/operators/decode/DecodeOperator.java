package io.vxflow.operators.decode;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.decode.Codec;
import io.vxflow.gpu.decode.DecodeError;
import io.vxflow.gpu.decode.DecodeException;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import io.vxflow.operators.slot.SlotLease;
import io.vxflow.operators.slot.SlotRuntimeRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Decode, the head of the frame chain, keyed by stream id: one decoder per stream (many per slot),
 * frames out in presentation order as {@link FrameHandle}s.
 *
 * <p><b>Bad input</b> (an invalid record, a decoder error, a stream starting or resuming without a
 * keyframe, a codec or size change, a frame over the pool limits) is counted per reason and logged
 * once per stream; the stream waits for its next keyframe, no frame that was not decoded gets a
 * result, and other streams are untouched.
 *
 * <p><b>Exactly once across restarts.</b> Keyed state holds each stream's {@link StreamPosition}
 * and the access units since its last keyframe (and the GOP before, while the decoder still holds
 * B-frames of it). A restored stream re-decodes them and emits only frames after the last one it had
 * emitted, so no frame is lost or repeated, whatever the decoder held at checkpoint time. A GOP over
 * {@code maxGopUnits} or {@code maxGopBytes} is not buffered; such a stream resumes at its next
 * keyframe after a restore.
 *
 * <p><b>Idle streams</b>: a stream silent for {@code idleFlushMillis} whose decoder holds frames for
 * B-frame reordering is drained, so those frames come out (a decoder that holds nothing, as for
 * streams without B-frames, is left alone). Silence is measured in processing time, so under
 * backpressure a stream can look idle while its data waits upstream: a drained stream that goes on
 * mid-GOP re-decodes its GOP before continuing. After any replay, frames at or before the last
 * emitted pts are withheld (counted in {@code framesSuppressedOutOfOrder} when outside the replay
 * itself: at most the reordering depth that a drain overtook) until the next GOP is out, so each
 * stream's results stay unique and in pts order. A stream silent for {@code evictAfterMillis}
 * (default ten minutes) is drained and its decoder closed, so streams that come and go do not pile up
 * decoders, NVDEC sessions or frame pools; its buffered units are dropped and a returning stream
 * starts at its next keyframe, its frame numbering continued. At the end of a bounded input every
 * decoder is drained; a codec change drains the old decoder first.
 *
 * <p><b>Metrics</b>: {@code framesDecoded}, {@code decoder.<engine>} (frames per decoding engine:
 * {@code nvdec}, {@code cpu-fallback}, {@code cpu}), {@code badInput.<reason>}, {@code
 * framesSuppressedOutOfOrder}, {@code streamsEvicted}, and the gauge {@code streams}.
 */
public final class DecodeOperator extends AbstractStreamOperator<FrameHandle>
        implements OneInputStreamOperator<FrameRecord, FrameHandle>, BoundedOneInput, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    private final PipelineSpec spec;
    private final long idleFlushMillis;
    private final long evictAfterMillis;
    private final int maxGopUnits;
    private final long maxGopBytes;

    private transient SlotLease slot;
    private transient SlotRuntime runtime;
    private transient Map<String, StreamDecoder> streams;
    private transient ValueState<StreamPosition> positionState;
    private transient ListState<AccessUnit> gopState;
    private transient InternalTimerService<VoidNamespace> idleTimers;
    private transient BadInputReporter bad;
    private transient Counter framesDecoded;
    private transient Counter suppressed;
    private transient Map<String, Counter> framesByEngine;
    private transient Counter evicted;
    private transient long decodeStartNanos;

    public DecodeOperator(PipelineSpec spec, long idleFlushMillis, int maxGopUnits, long maxGopBytes) {
        this(spec, idleFlushMillis, Math.max(idleFlushMillis, 600_000), maxGopUnits, maxGopBytes);
    }

    /**
     * @param evictAfterMillis silence after which a stream's decoder (and, on the GPU, its NVDEC
     *     session and frame pool) is closed; its state stays, so a stream that comes back re-opens one
     */
    public DecodeOperator(PipelineSpec spec, long idleFlushMillis, long evictAfterMillis, int maxGopUnits, long maxGopBytes) {
        this.spec = spec;
        this.idleFlushMillis = idleFlushMillis;
        this.evictAfterMillis = evictAfterMillis;
        this.maxGopUnits = maxGopUnits;
        this.maxGopBytes = maxGopBytes;
    }

    @Override
    public void open() throws Exception {
        super.open();
        slot = SlotRuntimeRegistry.acquire(getRuntimeContext(), spec);
        runtime = slot.runtime();
        streams = new HashMap<>();
        positionState = getRuntimeContext().getState(new ValueStateDescriptor<>("vxflow-position", StreamPositionSerializer.INSTANCE));
        gopState = getRuntimeContext().getListState(new ListStateDescriptor<>("vxflow-gop", AccessUnitSerializer.INSTANCE));
        idleTimers = getInternalTimerService("vxflow-idle", VoidNamespaceSerializer.INSTANCE, this);
        bad = new BadInputReporter(getMetricGroup());
        framesDecoded = getMetricGroup().counter("framesDecoded");
        suppressed = getMetricGroup().counter("framesSuppressedOutOfOrder");
        framesByEngine = new HashMap<>();
        evicted = getMetricGroup().counter("streamsEvicted");
        getMetricGroup().gauge("streams", () -> streams.size());
    }

    @Override
    public void processElement(StreamRecord<FrameRecord> element) throws Exception {
        FrameRecord r = element.getValue();
        String id = r.streamId();
        StreamDecoder sd = streams.get(id);
        if (!r.isValid()) {
            if (r.error() == DecodeError.NO_STREAM_ID) {
                bad.report(id, r.error(), r.detail(), "the record is dropped: it belongs to no stream");
                return;
            }
            bad.report(id, r.error(), r.detail(), "the stream waits for its next keyframe");
            if (sd != null) {
                sd.requireKeyframe();
            }
            return;
        }
        AccessUnit unit = r.unit();
        StreamPosition pos = position();
        try {
            if (sd == null) {
                sd = open(id, unit, pos);
            } else if (sd.codec() != unit.codec()) {
                bad.report(id, DecodeError.CODEC_CHANGE, sd.codec().wireName() + " -> " + unit.codec().wireName(),
                        "the decoder restarts at the next keyframe");
                drain(sd, pos);
                closeStream(sd);
                sd = open(id, unit, null);
            }
            sd.lastSeenMillis = getProcessingTimeService().getCurrentProcessingTime();
            armIdleTimer(sd);
            if (sd.drained && !unit.keyframe()) {
                resumeAfterDrain(sd, pos);
            }
            if (sd.waitingForKeyframe || sd.drained) {
                if (!unit.keyframe()) {
                    bad.report(id, DecodeError.NO_KEYFRAME, "access unit at pts " + unit.ptsMicros() + " is not a keyframe",
                            "access units are skipped until the next keyframe");
                    return;
                }
                sd.decoder.reset();
                sd.waitingForKeyframe = false;
                sd.drained = false;
                sd.held = 0;
            }
            pos.drained = false;
            buffer(sd, unit, pos);
            decode(sd, unit, r.ingestMillis(), pos);
        } finally {
            positionState.update(pos);
        }
    }

    private StreamPosition position() throws Exception {
        StreamPosition p = positionState.value();
        return p != null ? p : new StreamPosition();
    }

    /**
     * Keeps the access unit in the stream's buffer, which restarts at every keyframe, except that the
     * GOP before stays while the decoder still holds frames of it (until {@link #emit} sees the new GOP).
     */
    private void buffer(StreamDecoder sd, AccessUnit unit, StreamPosition pos) throws Exception {
        if (unit.keyframe()) {
            if (sd.held > 0 && !pos.gopOverflow && pos.gopUnits > 0) {
                pos.previousUnits = pos.gopUnits;
            } else {
                gopState.clear();
                pos.clearGop();
            }
            pos.keyframePts = unit.ptsMicros();
            if (sd.keepOrder && sd.keepOrderUntilPts == Long.MAX_VALUE) {
                sd.keepOrderUntilPts = unit.ptsMicros();
            }
        }
        if (pos.gopOverflow) {
            return;
        }
        if (pos.gopUnits >= maxGopUnits || pos.gopBytes + unit.data().length > maxGopBytes) {
            pos.gopOverflow = true;
            pos.gopUnits = 0;
            pos.gopBytes = 0;
            pos.previousUnits = 0;
            gopState.clear();
            return;
        }
        gopState.add(unit);
        pos.gopUnits++;
        pos.gopBytes += unit.data().length;
    }

    /** Drops the previous GOP's units once a frame of the current GOP is out: nothing of the old one can follow. */
    private void trimPreviousGop(StreamPosition pos) throws Exception {
        List<AccessUnit> keep = new ArrayList<>();
        int i = 0;
        long bytes = 0;
        for (AccessUnit u : gopState.get()) {
            if (i++ >= pos.previousUnits) {
                keep.add(u);
                bytes += u.data().length;
            }
        }
        gopState.update(keep);
        pos.gopUnits = keep.size();
        pos.gopBytes = bytes;
        pos.previousUnits = 0;
    }

    /**
     * Opens a stream's decoder. When state says the stream was decoded before and it does not
     * restart at a keyframe after a drain, the buffered units are re-decoded first, emitting only
     * frames after the last one emitted.
     */
    private StreamDecoder open(String id, AccessUnit first, StreamPosition restored) throws Exception {
        StreamDecoder sd = new StreamDecoder(id, runtime.openDecoder(first.codec()));
        streams.put(id, sd);
        boolean canSkipReplay = restored != null && restored.drained && first.keyframe();
        if (restored != null && restored.gopUnits > 0 && !restored.gopOverflow && !canSkipReplay) {
            sd.keepOrderAfterReplay();
            replay(sd, restored);
        }
        return sd;
    }

    /** Rebuilds a drained decoder's references from the buffered GOP; without one, the stream waits for a keyframe. */
    private void resumeAfterDrain(StreamDecoder sd, StreamPosition pos) throws Exception {
        sd.drained = false;
        sd.decoder.reset();
        sd.held = 0;
        if (pos.gopUnits > 0 && !pos.gopOverflow) {
            sd.waitingForKeyframe = true;
            sd.keepOrderAfterReplay();
            replay(sd, pos);
        } else {
            sd.requireKeyframe();
        }
    }

    private void replay(StreamDecoder sd, StreamPosition pos) throws Exception {
        sd.replaying = true;
        try {
            for (AccessUnit u : gopState.get()) {
                if (sd.waitingForKeyframe) {
                    if (!u.keyframe() || u.codec() != sd.codec()) {
                        break;
                    }
                    sd.waitingForKeyframe = false;
                }
                decode(sd, u, System.currentTimeMillis(), pos);
            }
        } finally {
            sd.replaying = false;
        }
    }

    private void decode(StreamDecoder sd, AccessUnit unit, long ingestMillis, StreamPosition pos) {
        sd.arrived(unit.ptsMicros(), ingestMillis);
        sd.held++;
        decodeStartNanos = System.nanoTime();
        try {
            sd.decoder.decode(unit, frame -> emit(sd, frame, ingestMillis, pos));
        } catch (DecodeException e) {
            bad.report(sd.streamId, e.error(), e.getMessage(), "the stream waits for its next keyframe");
            sd.requireKeyframe();
        }
    }

    private void emit(StreamDecoder sd, DecodedFrame frame, long fallbackIngest, StreamPosition pos) {
        long pts = frame.ptsMicros();
        sd.held = Math.max(0, sd.held - 1);
        if ((sd.replaying || sd.keepOrder) && pos.emittedAny && pts <= pos.lastEmittedPts) {
            frame.release(); // emitted before (restore, eviction) or overtaken by an idle drain: keep each stream unique and in order
            if (!sd.replaying) {
                suppressed.inc();
            }
            return;
        }
        if (sd.keepOrder && pts >= sd.keepOrderUntilPts) {
            sd.keepOrder = false; // a frame of a GOP begun after the replay: nothing older can follow
        }
        if (pos.previousUnits > 0 && pts >= pos.keyframePts) {
            try {
                trimPreviousGop(pos);
            } catch (Exception e) {
                throw new IllegalStateException("cannot trim the buffered GOP of stream " + sd.streamId, e);
            }
        }
        int w = frame.image().width(), h = frame.image().height();
        if (w > spec.maxWidth() || h > spec.maxHeight()) {
            frame.release();
            bad.report(sd.streamId, DecodeError.TOO_LARGE, w + "x" + h + " is larger than the configured maximum "
                    + spec.maxWidth() + "x" + spec.maxHeight(), "its frames are dropped until a keyframe of a supported size");
            sd.requireKeyframe();
            return;
        }
        if (sd.width != 0 && (w != sd.width || h != sd.height)) {
            bad.report(sd.streamId, DecodeError.RESOLUTION_CHANGE, sd.width + "x" + sd.height + " -> " + w + "x" + h,
                    "frames continue at the new size");
        }
        sd.width = w;
        sd.height = h;
        FrameHandle handle = new FrameHandle(sd.streamId, pos.nextFrameIndex++, frame, sd.ingestOf(pts, fallbackIngest), sd.decoder.engine());
        pos.lastEmittedPts = pts;
        pos.emittedAny = true;
        long now = System.nanoTime();
        handle.addStageNanos(Stage.DECODE, now - decodeStartNanos);
        decodeStartNanos = now;
        framesDecoded.inc();
        // per decoding engine (nvdec, cpu-fallback, cpu): a stream NVDEC could not take shows up here
        framesByEngine.computeIfAbsent(sd.decoder.engine(), e -> getMetricGroup().addGroup("decoder").counter(e)).inc();
        output.collect(new StreamRecord<>(handle));
    }

    private void armIdleTimer(StreamDecoder sd) {
        long first = idleFlushMillis > 0 ? idleFlushMillis : evictAfterMillis;
        if (!sd.idleTimerPending && first > 0) {
            sd.idleTimerPending = true;
            idleTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, sd.lastSeenMillis + first);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        StreamDecoder sd = streams.get(timer.getKey());
        if (sd == null) {
            return; // a timer restored from a checkpoint for a stream this attempt has not seen yet
        }
        sd.idleTimerPending = false;
        long silent = getProcessingTimeService().getCurrentProcessingTime() - sd.lastSeenMillis;
        StreamPosition pos = position();
        try {
            if (evictAfterMillis > 0 && silent >= evictAfterMillis) {
                evict(sd, pos);
                return;
            }
            if (idleFlushMillis > 0 && silent >= idleFlushMillis) {
                drain(sd, pos);
            }
        } finally {
            positionState.update(pos);
        }
        long next = idleFlushMillis > 0 && silent < idleFlushMillis ? idleFlushMillis : evictAfterMillis;
        if (next > 0) {
            sd.idleTimerPending = true;
            idleTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, sd.lastSeenMillis + next);
        }
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

    /**
     * Emits the frames the decoder holds for reordering. The buffered GOP is kept: a stream that goes
     * on mid-GOP re-decodes it first (see {@link #resumeAfterDrain}).
     */
    private void drain(StreamDecoder sd, StreamPosition pos) {
        if (sd.waitingForKeyframe || sd.drained || sd.held == 0) {
            return; // nothing held: a decoder without reordering delay needs no drain
        }
        decodeStartNanos = System.nanoTime();
        try {
            sd.decoder.drain(frame -> emit(sd, frame, System.currentTimeMillis(), pos));
            sd.drained = true;
            sd.held = 0;
            pos.drained = true;
        } catch (DecodeException e) {
            bad.report(sd.streamId, e.error(), e.getMessage(), "the stream waits for its next keyframe");
            sd.requireKeyframe();
        }
    }

    /**
     * Closes a long-silent stream's decoder after handing out what it held, and forgets its buffered
     * units (everything they could give has been emitted); the position stays, so a returning stream
     * continues its frame numbering, from its next keyframe.
     */
    private void evict(StreamDecoder sd, StreamPosition pos) {
        drain(sd, pos);
        closeStream(sd);
        gopState.clear();
        pos.clearGop();
        pos.drained = true;
        evicted.inc();
    }

    @Override
    public void endInput() throws Exception {
        for (StreamDecoder sd : streams.values()) {
            setCurrentKey(sd.streamId);
            StreamPosition pos = position();
            drain(sd, pos);
            positionState.update(pos);
        }
    }

    private void closeStream(StreamDecoder sd) {
        streams.remove(sd.streamId);
        sd.close();
    }

    /** For tests: streams with an open decoder. */
    int openStreams() {
        return streams.size();
    }

    /** For tests: frames withheld to keep a stream unique and in pts order after a replay. */
    long suppressedOutOfOrder() {
        return suppressed.getCount();
    }

    /** For tests: how many of a reason were counted. */
    long badInputCount(DecodeError e) {
        return bad.count(e);
    }

    @Override
    public void close() throws Exception {
        try {
            super.close();
        } finally {
            if (streams != null) {
                streams.values().forEach(StreamDecoder::close);
                streams.clear();
            }
            if (slot != null) {
                slot.close();
                slot = null;
            }
        }
    }
}
