package io.vxflow.operators.decode;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameReplaySource;
import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.decode.DecodeError;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import io.vxflow.operators.slot.SlotLease;
import io.vxflow.operators.slot.SlotRuntimeRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
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
 * Decode, the head of the frame chain, keyed by stream id: frames out in presentation order as
 * {@link FrameHandle}s, exactly once.
 *
 * <p><b>The task thread never decodes.</b> Each stream's commands go to its queue on the
 * TaskManager's {@link DecodeWorkers}, where its {@link StreamSession} decodes (NVDEC's map, FFmpeg's
 * software decode, opening a decoder at a stream's first keyframe); the worker's {@link DecodeEvent}s
 * come back through the task's mailbox, where this operator emits the frames and the chain after it
 * runs. At most {@code maxInFlight} commands are out at once; beyond that the task thread works its
 * mailbox until one completes, which is how backpressure reaches Kafka. This is Flink's {@code
 * AsyncWaitOperator} discipline: other threads never touch operator state.
 *
 * <p><b>Exactly once, with small state.</b> A stream's checkpointed {@link StreamPosition} holds its
 * frame numbering, the last pts emitted and offsets in the frames topic, never access units: work
 * still on the workers at a checkpoint is simply not in it. A restored slot reads each stream's
 * units since its last keyframe back from Kafka ({@link GopReplay}, one pass per partition), decodes
 * them again and emits only what was not emitted before ({@link StreamTrack}). A drained stream that
 * resumes mid-GOP is replayed the same way. Where Kafka no longer holds the units, or the records
 * carry no offsets, the stream resumes at its next keyframe and the gap is counted
 * ({@code badInput.replay-unavailable}).
 *
 * <p><b>Bad input</b> (an invalid record, a decoder error, a stream starting or resuming without a
 * keyframe, a codec or size change, a frame over the pool limits, a decoder failure of any kind) is
 * counted per reason and logged once per stream; the stream waits for its next keyframe and other
 * streams are untouched. No bad record restarts the job; only a CUDA error does.
 *
 * <p><b>Overload</b>: see {@link OverloadPolicy}. With {@code drop}, late frames are emitted as dropped
 * handles that skip inference and still get their one result.
 *
 * <p><b>Idle streams</b>: a stream silent for {@code idleFlushMillis} whose decoder holds frames is
 * drained; after {@code evictAfterMillis} its decoder is closed (a returning stream starts at its next
 * keyframe, its numbering continued); after {@code stateExpiryMillis} its position is deleted too.
 * At the end of a bounded input every decoder is drained.
 *
 * <p><b>Metrics</b>: {@code framesDecoded}, {@code decoder.<engine>}, {@code badInput.<reason>},
 * {@code framesSuppressedOutOfOrder}, {@code framesDroppedOverload}, {@code streamsEvicted}, and the
 * gauges {@code replays}, {@code streams} and {@code decodeInFlight}; per stream, until it is evicted,
 * {@link DecodeStreamMetrics}.
 */
public final class DecodeOperator extends AbstractStreamOperator<FrameHandle>
        implements OneInputStreamOperator<FrameRecord, FrameHandle>, BoundedOneInput, Triggerable<String, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    /** How long closing waits for the workers to finish this slot's work before freeing the slot's GPU memory. */
    private static final long CLOSE_WAIT_SECONDS = 60;
    private final PipelineSpec spec;
    private final DecodeSettings settings;
    private final FrameReplaySource.Factory replaySource;

    private transient MailboxExecutor mailbox;
    private transient SlotLease slot;
    private transient SlotRuntime runtime;
    private transient Executor workers;
    private transient GopReplay replay;
    private transient Map<String, StreamTrack> streams;
    private transient ValueState<StreamPosition> positionState;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient BadInputReporter bad;
    private transient DecodeStreamMetrics perStream;
    private transient Counter framesDecoded;
    private transient Counter suppressed;
    private transient Counter droppedOverload;
    private transient Counter evicted;
    /** Replays: of restored streams, and of drained ones resuming mid-GOP (counted on the workers). */
    private transient AtomicLong replays;
    private transient Map<String, Counter> framesByEngine;
    private transient int inFlight;
    /**
     * The newest Kafka timestamp of any record this slot received, and since when the slot has had
     * nothing to do: no record came and no access unit was on the workers.
     */
    private transient long latestIngestMillis;
    private transient long idleSinceMillis;
    private transient boolean restored;
    private transient volatile boolean closing;
    /** Event lists handed to the mailbox and not handled yet (by identity): their frames are given back if the task goes first. */
    private transient Set<List<DecodeEvent>> undelivered;

    /**
     * @param replaySource where streams' records are read again after a restore or a drain; null when
     *     the input does not come from Kafka (such streams resume at their next keyframe instead)
     */
    public DecodeOperator(PipelineSpec spec, DecodeSettings settings, FrameReplaySource.Factory replaySource) {
        this.spec = spec;
        this.settings = settings;
        this.replaySource = replaySource;
    }

    @Override
    public void setMailboxExecutor(MailboxExecutor mailboxExecutor) {
        super.setMailboxExecutor(mailboxExecutor);
        this.mailbox = mailboxExecutor;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        restored = context.isRestored();
    }

    @Override
    public void open() throws Exception {
        super.open();
        if (mailbox == null) {
            // Flink's operator factories hand it over; harnesses that build operators directly do not
            mailbox = getContainingTask().getMailboxExecutorFactory().createExecutor(getOperatorConfig().getChainIndex());
        }
        slot = SlotRuntimeRegistry.acquire(getRuntimeContext(), spec);
        runtime = slot.runtime();
        workers = DecodeWorkers.shared(settings.workers());
        replay = new GopReplay(replaySource);
        streams = new HashMap<>();
        undelivered = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        positionState = getRuntimeContext().getState(new ValueStateDescriptor<>("vxflow-position", StreamPositionSerializer.INSTANCE));
        timers = getInternalTimerService("vxflow-idle", VoidNamespaceSerializer.INSTANCE, this);
        perStream = new DecodeStreamMetrics(slot.streamMetrics(), getMetricGroup());
        bad = new BadInputReporter(getMetricGroup(), perStream);
        framesDecoded = getMetricGroup().counter("framesDecoded");
        suppressed = getMetricGroup().counter("framesSuppressedOutOfOrder");
        droppedOverload = getMetricGroup().counter("framesDroppedOverload");
        evicted = getMetricGroup().counter("streamsEvicted");
        replays = new AtomicLong();
        getMetricGroup().gauge("replays", replays::get);
        framesByEngine = new HashMap<>();
        getMetricGroup().gauge("streams", () -> streams.size());
        getMetricGroup().gauge("decodeInFlight", () -> inFlight);
        idleSinceMillis = getProcessingTimeService().getCurrentProcessingTime();
        if (restored) {
            restoreStreams();
        }
    }

    /**
     * Re-decodes, for every restored stream whose decoder held or was about to produce frames, its
     * units since the last keyframe: each partition is read once, on a thread of its own, while the
     * replays wait on their streams' queues, ahead of any new record of theirs.
     */
    private void restoreStreams() throws Exception {
        List<String> keys = new ArrayList<>();
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        try (var all = backend.getKeys("vxflow-position", VoidNamespace.INSTANCE)) {
            all.forEach(keys::add);
        }
        Map<Integer, List<GopReplay.Range>> byPartition = new HashMap<>();
        for (String id : keys) {
            setCurrentKey(id);
            StreamPosition stored = positionState.value();
            if (stored == null) {
                continue;
            }
            StreamPosition p = stored.copy(); // the backend's object is not ours to change in place
            StreamTrack t = newTrack(id, p);
            // its silence counts from now: a stream that sends nothing more is drained (what its decoder held
            // comes out) and later evicted, not forgotten as if it had been silent since 1970
            t.lastSeenMillis = getProcessingTimeService().getCurrentProcessingTime();
            armTimer(t);
            if (p.canReplay()) {
                byPartition.computeIfAbsent(p.partition, k -> new ArrayList<>()).add(new GopReplay.Range(id, p.replayFrom(), p.lastOffset));
            }
        }
        byPartition.forEach((partition, ranges) -> {
            CompletableFuture<Map<String, GopReplay.Result>> read = replay.readAsync(partition, ranges);
            for (GopReplay.Range r : ranges) {
                StreamTrack t = streams.get(r.streamId());
                replays.incrementAndGet();
                submit(t, false, (s, out) -> replayInto(s, read.join().get(r.streamId()), out));
            }
        });
    }

    @Override
    public void processElement(StreamRecord<FrameRecord> element) throws Exception {
        FrameRecord r = element.getValue();
        if (!r.isValid() && r.error() == DecodeError.NO_STREAM_ID) {
            bad.report(r.streamId(), r.error(), r.detail(), "the record is dropped: it belongs to no stream");
            return;
        }
        StreamTrack t = track(r.streamId());
        perStream.received(t.streamId);
        t.lastSeenMillis = getProcessingTimeService().getCurrentProcessingTime();
        armTimer(t);
        AccessUnit unit = r.unit();
        if (unit != null && unit.keyframe()) {
            awaitKeyframeRoom(t, r.partition());
        }
        StreamPosition p = t.position;
        int partition = p.partition;
        long from = p.canReplay() ? p.replayFrom() : -1;
        long to = p.lastOffset;
        p.received(r.partition(), r.offset(), unit != null && unit.keyframe(), unit != null ? unit.ptsMicros() : 0, r.ingestMillis());
        latestIngestMillis = Math.max(latestIngestMillis, r.ingestMillis());
        idleSinceMillis = t.lastSeenMillis;
        if (unit == null) {
            bad.report(t.streamId, r.error(), r.detail(), "the stream waits for its next keyframe");
            submit(t, true, StreamSession::invalid);
            return;
        }
        long ingest = r.ingestMillis();
        if (settings.overload().drop() && unit.keyframe()) {
            t.skippingGop = settings.overload().tooLate(ingest, System.currentTimeMillis());
        }
        if (t.skippingGop) {
            submit(t, true, (s, out) -> s.skip(unit, ingest, out));
            return;
        }
        // read only if the worker finds the stream drained mid-GOP (a false idle): the units before this one
        Supplier<GopReplay.Result> gop = () -> {
            if (from < 0 || to < from || partition != r.partition()) {
                return GopReplay.Result.missing("the records carry no Kafka offsets to read them again from");
            }
            replays.incrementAndGet();
            return replay.read(t.streamId, partition, from, to);
        };
        submit(t, true, (s, out) -> s.decode(unit, ingest, gop, out));
    }

    /**
     * Before a keyframe is added to a stream's position: if the position keeps as many keyframes as it
     * may, works the mailbox until the stream's units on the workers have come out. Otherwise a
     * stream whose decoding lags its input by that many GOPs (a backlog after a restore, a slot that
     * received one partition's batch) would give up the oldest keyframe while frames of its GOP were
     * still unemitted, and a restore from that checkpoint would lose them. Once nothing is in flight,
     * a full position means frames really stopped coming out, and giving the oldest up is right.
     */
    private void awaitKeyframeRoom(StreamTrack t, int partition) throws InterruptedException {
        while (t.position.keyframesFull() && t.position.partition == partition && t.inFlight > 0) {
            mailbox.yield();
        }
    }

    private static void replayInto(StreamSession s, GopReplay.Result result, List<DecodeEvent> out) {
        if (result.unavailable() != null) {
            s.replayUnavailable(result.unavailable(), out);
        } else {
            s.replay(result.records(), out);
        }
    }

    private StreamTrack track(String id) throws Exception {
        StreamTrack t = streams.get(id);
        if (t == null) {
            StreamPosition stored = positionState.value();
            t = newTrack(id, stored != null ? stored.copy() : new StreamPosition());
        }
        return t;
    }

    private StreamTrack newTrack(String id, StreamPosition p) {
        StreamTrack t = new StreamTrack(id, new DecodeWorkers.Queue(workers), p);
        streams.put(id, t);
        return t;
    }

    /**
     * Hands a command to the stream's worker queue; its events come back through the mailbox. With
     * {@code wait}, first works the mailbox while the slot already has its fill of commands out.
     */
    private void submit(StreamTrack t, boolean wait, BiConsumer<StreamSession, List<DecodeEvent>> command) {
        if (wait) {
            while (inFlight >= settings.maxInFlight()) {
                try {
                    mailbox.yield();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the decode workers", e);
                }
            }
        }
        if (t.session == null) {
            t.session = new StreamSession(t.streamId, runtime::openDecoder, spec.maxWidth(), spec.maxHeight());
        }
        StreamSession s = t.session;
        inFlight++;
        t.inFlight++;
        t.queue.execute(() -> {
            List<DecodeEvent> events = new ArrayList<>(2);
            try {
                command.accept(s, events);
            } catch (RuntimeException e) {
                events.add(new DecodeEvent.Failure(e));
            } catch (Error e) {
                events.add(new DecodeEvent.Failure(new IllegalStateException("decode worker failed: " + e, e)));
            }
            deliver(t, events);
        });
    }

    /** On the worker: sends the events to the task thread, or gives back the frames if the task is gone. */
    private void deliver(StreamTrack t, List<DecodeEvent> events) {
        if (closing) {
            releaseFrames(events, 0);
            return;
        }
        undelivered.add(events);
        try {
            mailbox.execute(() -> handle(t, events), "decoded frames of a stream");
        } catch (RejectedExecutionException e) {
            undelivered.remove(events);
            releaseFrames(events, 0);
        }
    }

    /** On the task thread: emits, withholds or counts what a worker reported, in the stream's order. */
    private void handle(StreamTrack t, List<DecodeEvent> events) {
        if (!undelivered.remove(events)) {
            return; // given back by close()
        }
        inFlight--;
        t.inFlight--;
        if (inFlight == 0) {
            idleSinceMillis = getProcessingTimeService().getCurrentProcessingTime();
        }
        for (int i = 0; i < events.size(); i++) {
            DecodeEvent e = events.get(i);
            if (closing) {
                releaseFrames(events, i);
                return;
            }
            if (e instanceof DecodeEvent.Frame f) {
                emitFrame(t, f);
            } else if (e instanceof DecodeEvent.Skipped s) {
                emitDropped(t, s.pts(), s.ingestMillis());
            } else if (e instanceof DecodeEvent.BadInput b) {
                bad.report(t.streamId, b.reason(), b.detail(), b.consequence());
            } else if (e instanceof DecodeEvent.Failure fail) {
                releaseFrames(events, i + 1);
                throw fail.cause();
            }
        }
    }

    private void emitFrame(StreamTrack t, DecodeEvent.Frame f) {
        long pts = f.frame().ptsMicros();
        long index = t.position.nextFrameIndex;
        StreamTrack.Admission a = t.admit(pts, f.origin());
        if (a != StreamTrack.Admission.EMIT) {
            f.frame().release();
            if (a == StreamTrack.Admission.WITHHOLD_OVERTAKEN) {
                suppressed.inc();
            }
            return;
        }
        t.width = f.frame().image().width();
        t.height = f.frame().image().height();
        t.engine = f.engine();
        framesDecoded.inc();
        // per decoding engine (nvdec, cpu-fallback, cpu): a stream NVDEC could not take shows up here
        framesByEngine.computeIfAbsent(f.engine(), k -> getMetricGroup().addGroup("decoder").counter(k)).inc();
        perStream.decoded(t.streamId, f.engine());
        FrameHandle h;
        if (settings.overload().tooLate(f.ingestMillis(), System.currentTimeMillis())) {
            f.frame().release();
            droppedOverload.inc();
            perStream.dropped(t.streamId);
            h = FrameHandle.dropped(t.streamId, index, pts, t.width, t.height, f.ingestMillis(), f.engine(), OverloadPolicy.REASON);
        } else {
            h = new FrameHandle(t.streamId, index, f.frame(), f.ingestMillis(), f.engine());
        }
        h.addStageNanos(Stage.DECODE, f.decodeNanos());
        output.collect(new StreamRecord<>(h));
    }

    private void emitDropped(StreamTrack t, long pts, long ingestMillis) {
        long index = t.position.nextFrameIndex;
        StreamTrack.Admission a = t.admit(pts, DecodeEvent.Origin.LIVE);
        if (a != StreamTrack.Admission.EMIT) {
            if (a == StreamTrack.Admission.WITHHOLD_OVERTAKEN) {
                suppressed.inc();
            }
            return;
        }
        droppedOverload.inc();
        perStream.dropped(t.streamId);
        output.collect(new StreamRecord<>(FrameHandle.dropped(t.streamId, index, pts, t.width, t.height, ingestMillis, t.engine,
                OverloadPolicy.REASON)));
    }

    private static void releaseFrames(List<DecodeEvent> events, int from) {
        for (int i = from; i < events.size(); i++) {
            if (events.get(i) instanceof DecodeEvent.Frame f) {
                f.frame().release();
            }
        }
    }

    private void armTimer(StreamTrack t) {
        long first = settings.idleFlushMillis() > 0 ? settings.idleFlushMillis() : settings.evictAfterMillis();
        if (!t.idleTimerPending && first > 0) {
            t.idleTimerPending = true;
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, t.lastSeenMillis + first);
        }
    }

    @Override
    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) throws Exception {
        StreamTrack t = streams.get(timer.getKey());
        if (t == null) {
            return; // a timer restored from a checkpoint for a stream this attempt has not seen yet
        }
        t.idleTimerPending = false;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long silent = now - t.lastSeenMillis;
        long expiry = settings.stateExpiryMillis();
        if (expiry > 0 && silent >= expiry) {
            expire(t);
            return;
        }
        long idle = settings.idleFlushMillis();
        long at;
        if (settings.evictAfterMillis() > 0 && silent >= settings.evictAfterMillis()) {
            evict(t);
            at = expiry > 0 ? t.lastSeenMillis + expiry : -1;
        } else if (idle > 0 && silent >= idle) {
            if (stoppedSending(t, now)) {
                if (t.session != null) {
                    submit(t, false, StreamSession::drain);
                }
                at = t.lastSeenMillis + settings.evictAfterMillis();
            } else {
                at = now + idle; // its data is only late (backpressure, catching up): a drain now would cost B-frames
            }
        } else {
            at = t.lastSeenMillis + (idle > 0 ? idle : settings.evictAfterMillis());
        }
        if (at > 0) {
            t.idleTimerPending = true;
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, at);
        }
    }

    /**
     * Whether a stream silent for the idle flush has really stopped sending, rather than having its
     * data held up with everybody else's: the slot has received records ingested at least an idle
     * flush after the stream's last one, or the slot has had nothing at all to do for that long: no
     * record and no unit on the workers. Under backpressure or while a restored job catches up every
     * stream looks silent in processing time, and draining one then would hand out frames its next
     * B-frames must precede; a slot whose own decoders are behind (units in flight, so its input waits)
     * or whose source stalls only briefly is not quiet.
     */
    private boolean stoppedSending(StreamTrack t, long now) {
        long idle = settings.idleFlushMillis();
        return latestIngestMillis - t.position.lastIngestMillis >= idle || (inFlight == 0 && now - idleSinceMillis >= idle);
    }

    @Override
    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {}

    /**
     * Closes a long-silent stream's decoder after handing out what it held; its replay range goes (all
     * it could give has been emitted), its numbering stays, and a returning stream starts at a keyframe.
     */
    private void evict(StreamTrack t) {
        if (t.session == null) {
            return;
        }
        submit(t, false, StreamSession::close);
        t.session = null;
        t.position.forgetReplay();
        evicted.inc();
        perStream.evicted(t.streamId);
    }

    /** Forgets a stream silent for longer than the state expiry: decoder, position and all. */
    private void expire(StreamTrack t) {
        evict(t);
        perStream.evicted(t.streamId);
        streams.remove(t.streamId);
        positionState.clear();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // positions live on the heap between checkpoints; the state backend gets copies (it snapshots asynchronously)
        for (StreamTrack t : streams.values()) {
            setCurrentKey(t.streamId);
            positionState.update(t.position.copy());
        }
    }

    @Override
    public void endInput() throws Exception {
        awaitWorkers();
        for (StreamTrack t : streams.values()) {
            if (t.session != null) {
                submit(t, true, StreamSession::drain);
            }
        }
        awaitWorkers();
    }

    private void awaitWorkers() throws InterruptedException {
        while (inFlight > 0) {
            mailbox.yield();
        }
    }

    /** For tests: commands whose events have not been handled yet. */
    int inFlight() {
        return inFlight;
    }

    /** For tests: streams this slot tracks. */
    int trackedStreams() {
        return streams.size();
    }

    /** For tests: streams with a decoder session. */
    int openStreams() {
        return (int) streams.values().stream().filter(t -> t.session != null).count();
    }

    /** For tests: frames withheld to keep a stream unique and in pts order after a replay. */
    long suppressedOutOfOrder() {
        return suppressed.getCount();
    }

    /** For tests: frames dropped under the overload policy. */
    long droppedForOverload() {
        return droppedOverload.getCount();
    }

    /** For tests: how many of a reason were counted. */
    long badInputCount(DecodeError e) {
        return bad.count(e);
    }

    /**
     * Closes every session on its own queue, after whatever is still queued there, and waits for the
     * workers to be done with this slot before the slot's GPU memory goes; frames decoded for mail
     * that will never run are given back.
     */
    @Override
    public void close() throws Exception {
        closing = true;
        try {
            super.close();
        } finally {
            if (streams != null) {
                CountDownLatch done = new CountDownLatch(streams.size());
                for (StreamTrack t : streams.values()) {
                    StreamSession s = t.session;
                    t.queue.execute(() -> {
                        if (s != null) {
                            closeQuietly(s);
                        }
                        done.countDown();
                    });
                }
                if (!done.await(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    LOG.warn("decode workers still busy with this slot after {} s; closing it anyway", CLOSE_WAIT_SECONDS);
                }
                streams.clear();
                synchronized (undelivered) {
                    for (List<DecodeEvent> events : undelivered) {
                        releaseFrames(events, 0);
                    }
                    undelivered.clear();
                }
            }
            if (replay != null) {
                replay.close();
            }
            if (perStream != null) {
                perStream.release();
            }
            if (slot != null) {
                slot.close();
                slot = null;
            }
        }
    }

    private static void closeQuietly(StreamSession s) {
        List<DecodeEvent> out = new ArrayList<>();
        try {
            s.close(out);
        } catch (RuntimeException e) {
            // the task is going away: nothing to report to
        }
        releaseFrames(out, 0);
    }
}
