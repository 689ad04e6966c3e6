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
import java.util.HashMap;
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
 * and the access units since its last keyframe. A restored stream re-decodes them and emits only
 * frames after the last one it had emitted, so no frame is lost or repeated even with B-frames held
 * in the decoder at checkpoint time. A GOP over {@code maxGopUnits} or {@code maxGopBytes} is not
 * buffered; such a stream resumes at its next keyframe after a restore.
 *
 * <p><b>Metrics</b>: {@code framesDecoded}, {@code decoder.<engine>} (frames per decoding engine:
 * {@code nvdec}, {@code cpu-fallback}, {@code cpu}), {@code badInput.<reason>}, {@code
 * framesDroppedAfterIdleDrain}, {@code streamsEvicted}, and the gauge {@code streams}.
 *
 * <p><b>Idle streams</b>: a stream silent for {@code idleFlushMillis} whose decoder holds frames for
 * B-frame reordering is drained, so those frames come out (a decoder that holds nothing, as for
 * streams without B-frames, is left alone). Silence is measured in processing time, so under
 * backpressure a stream can look idle while its data waits upstream: a drained stream that goes on
 * mid-GOP therefore re-decodes its GOP from the buffered access units before continuing, emitting
 * nothing twice; frames the drain overtook (at most the reordering depth, usually one or two) are
 * dropped to keep pts order and counted in {@code framesDroppedAfterIdleDrain}. At the end of a
 * bounded input every decoder is drained. A stream silent for {@code evictAfterMillis} (default
 * ten minutes) has its decoder closed, so streams that come and go do not pile up decoders, NVDEC
 * sessions or frame pools; its state stays and a returning stream replays its GOP into a new one.
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
    private transient Counter droppedAfterDrain;
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
        droppedAfterDrain = getMetricGroup().counter("framesDroppedAfterIdleDrain");
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
            bad.report(id, r.error(), r.detail(), "the stream waits for its next keyframe");
            if (sd != null) {
                sd.requireKeyframe();
            }
            return;
        }
        AccessUnit unit = r.unit();
        StreamPosition pos = position();
        if (sd == null) {
            sd = open(id, unit.codec(), pos);
        } else if (sd.codec() != unit.codec()) {
            bad.report(id, DecodeError.CODEC_CHANGE, sd.codec().wireName() + " -> " + unit.codec().wireName(),
                    "the decoder restarts at the next keyframe");
            closeStream(sd);
            sd = open(id, unit.codec(), null);
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
        if (unit.keyframe()) {
            sd.keepOrderUntilKeyframe = false;
            sd.emittedInGop.clear();
        }
        buffer(unit, pos);
        decode(sd, unit, r.ingestMillis(), pos);
        positionState.update(pos);
    }

    private StreamPosition position() throws Exception {
        StreamPosition p = positionState.value();
        return p != null ? p : new StreamPosition();
    }

    /** Keeps the access unit in the stream's GOP buffer, which restarts at every keyframe. */
    private void buffer(AccessUnit unit, StreamPosition pos) throws Exception {
        if (unit.keyframe()) {
            gopState.clear();
            pos.gopOverflow = false;
            pos.gopUnits = 0;
            pos.gopBytes = 0;
        }
        if (pos.gopOverflow) {
            return;
        }
        if (pos.gopUnits >= maxGopUnits || pos.gopBytes + unit.data().length > maxGopBytes) {
            pos.gopOverflow = true;
            gopState.clear();
            return;
        }
        gopState.add(unit);
        pos.gopUnits++;
        pos.gopBytes += unit.data().length;
    }

    /** Opens a stream's decoder; when state says the stream was running before, replays its GOP. */
    private StreamDecoder open(String id, Codec codec, StreamPosition restored) throws Exception {
        StreamDecoder sd = new StreamDecoder(id, runtime.openDecoder(codec));
        streams.put(id, sd);
        if (restored != null && restored.gopUnits > 0 && !restored.gopOverflow) {
            // after a restore nothing older than the last emitted frame comes out; after an eviction
            // that followed an idle drain, frames the drain overtook might: keep pts order
            sd.keepOrderUntilKeyframe = true;
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
            sd.keepOrderUntilKeyframe = true;
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
        if ((sd.replaying || sd.keepOrderUntilKeyframe) && pos.emittedAny && pts <= pos.lastEmittedPts) {
            frame.release(); // replayed: emitted before; or overtaken by an idle drain: too late to keep order
            if (!sd.replaying && !sd.emittedInGop.contains(pts)) {
                droppedAfterDrain.inc();
            }
            return;
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
        sd.emittedInGop.add(pts);
        long now = System.nanoTime();
        handle.addStageNanos(Stage.DECODE, now - decodeStartNanos);
        decodeStartNanos = now;
        framesDecoded.inc();
        // per decoding engine (nvdec, cpu-fallback, cpu): a stream NVDEC could not take shows up here
        framesByEngine.computeIfAbsent(sd.decoder.engine(), e -> getMetricGroup().addGroup("decoder").counter(e)).inc();
        output.collect(new StreamRecord<>(handle));
    }

    private void armIdleTimer(StreamDecoder sd) {
        if (!sd.idleTimerPending && idleFlushMillis > 0) {
            sd.idleTimerPending = true;
            idleTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, sd.lastSeenMillis + idleFlushMillis);
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
        if (silent >= evictAfterMillis) {
            closeStream(sd); // bounded memory with streams coming and going; the keyed state stays
            evicted.inc();
            return;
        }
        if (silent >= idleFlushMillis) {
            drain(sd);
        }
        sd.idleTimerPending = true;
        idleTimers.registerProcessingTimeTimer(VoidNamespace.INSTANCE,
                sd.lastSeenMillis + (silent < idleFlushMillis ? idleFlushMillis : evictAfterMillis));
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

    /**
     * Emits the frames the decoder holds for reordering. The buffered GOP is kept: a stream that goes
     * on mid-GOP re-decodes it first (see {@link #resumeAfterDrain}).
     */
    private void drain(StreamDecoder sd) throws Exception {
        if (sd.waitingForKeyframe || sd.drained || sd.held == 0) {
            return; // nothing held: a decoder without reordering delay needs no drain
        }
        StreamPosition pos = position();
        decodeStartNanos = System.nanoTime();
        try {
            sd.decoder.drain(frame -> emit(sd, frame, System.currentTimeMillis(), pos));
            sd.drained = true;
            sd.held = 0;
        } catch (DecodeException e) {
            bad.report(sd.streamId, e.error(), e.getMessage(), "the stream waits for its next keyframe");
            sd.requireKeyframe();
        }
        positionState.update(pos);
    }

    @Override
    public void endInput() throws Exception {
        for (StreamDecoder sd : streams.values()) {
            setCurrentKey(sd.streamId);
            drain(sd);
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

    /** For tests: frames dropped after an idle drain to keep pts order. */
    long droppedAfterIdleDrain() {
        return droppedAfterDrain.getCount();
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
