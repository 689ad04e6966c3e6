package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameReplaySource;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import io.vxflow.operators.route.StreamKey;
import io.vxflow.operators.slot.SlotLease;
import io.vxflow.operators.slot.SlotRuntimeRegistry;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
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
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
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
 * Decode, the head of the frame chain, keyed by stream ({@link StreamKey}: the stream id and the key
 * group the {@link io.vxflow.operators.route.StreamRouter} chose for it): frames out in presentation
 * order as {@link FrameHandle}s, exactly once. Everything here is per stream id; the key group only
 * says where the stream's state lives.
 *
 * <p><b>The task thread never decodes.</b> Each stream's commands go to its queue on the
 * TaskManager's {@link DecodeWorkers}, where its {@link StreamSession} decodes (NVDEC's map, FFmpeg's
 * software decode, opening a decoder at a stream's first keyframe); the worker's {@link DecodeEvent}s
 * come back through the task's mailbox, where this operator emits the frames and the chain after it
 * runs. At most {@code maxInFlight} commands are out at once; beyond that the task thread works its
 * mailbox until one completes, which is how backpressure reaches Kafka. This is Flink's {@code
 * AsyncWaitOperator} discipline: other threads never touch operator state. Until a stream's decoder
 * is open its commands run on the TaskManager's opener threads and count against a budget of their
 * own: NVDEC sets decoders up one at a time, and when a hundred streams start at once the last waits
 * seconds; meanwhile the streams already open keep the workers and the slot's budget to themselves.
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
 * keyframe, a codec or size change, a unit or picture over the {@link DecodeLimits}, unreadable
 * parameter sets, a decoder failure of any kind) is counted per reason and logged once per stream;
 * the stream waits for its next keyframe and other streams are untouched. No bad record restarts the
 * job; only a CUDA error does.
 *
 * <p><b>Bounded whatever producers write.</b> A stream without a decoder session costs a {@link
 * StreamTrack} and a timer, nothing more: the task thread counts its units other than keyframes, and
 * its keyframes whose parameter sets fail the limits, without a worker. A session (and on the worker
 * a decoder, opened only at a keyframe) is made for a keyframe that passes; at most {@code
 * maxStreamsPerSlot} streams have one, the least recently used is closed first ({@code
 * streamsClosedForCap}; it resumes at a keyframe, its numbering continued), and a session left
 * holding nothing (its keyframe did not decode) is dropped. A stream that never emitted a frame is
 * forgotten at its first idle timer, and its position is never checkpointed.
 *
 * <p><b>Overload</b>: see {@link OverloadPolicy}. With {@code drop}, late frames are emitted as dropped
 * handles that skip inference and still get their one result.
 *
 * <p><b>Inference interval</b>: see {@link InferenceInterval}. Every frame is decoded (later frames
 * reference it), but a frame whose index in its stream the interval skips has its picture released
 * here, at once, and goes on as an unanalysed handle marked {@code interval}: resize, normalize,
 * inference and crop never see it. The index comes from the checkpointed {@link StreamPosition}, so
 * which frames are analysed does not move across a restore. A frame both skipped by the interval and
 * late is marked {@code interval}: it would not have been analysed anyway, and {@code
 * framesDroppedOverload} counts only what overload cost.
 *
 * <p><b>Idle streams</b>: a stream silent for {@code idleFlushMillis} whose decoder holds frames is
 * drained, if it has really stopped sending (see {@link #stoppedSending}) and if nothing it has not
 * sent can precede the held frames ({@link StreamSession#drainIfNothingPrecedes}: a stream silent in
 * the middle of a B-frame group keeps them, so a stall never costs frames); after {@code
 * evictAfterMillis} its decoder is closed, handing out whatever it held (a returning stream starts at
 * its next keyframe, its numbering continued); after {@code stateExpiryMillis} its position is deleted too.
 * Eviction and expiry, like the drain, act only on a stream that has stopped sending, never on one whose
 * data is only late (a starved or catching-up job would otherwise evict it mid-GOP or restart its numbering).
 * At the end of a bounded input every decoder is drained.
 *
 * <p><b>Metrics</b>: {@code framesDecoded}, {@code decoder.<engine>}, {@code badInput.<reason>},
 * {@code framesSuppressedOutOfOrder}, {@code framesDroppedOverload}, {@code framesSkippedInterval}, {@code streamsEvicted}, {@code
 * streamsClosedForCap}, and the gauges {@code replays}, {@code streams}, {@code decoderSessions},
 * {@code decodeInFlight} and {@code load} (pixels per second of the streams with a session: width x
 * height x frames/s, the rate measured from pts; what the router balances); per stream, from its first unit that may reach a decoder until it is
 * evicted, {@link DecodeStreamMetrics} (garbage opens none until a keyframe of it passes the limits).
 */
public final class DecodeOperator extends AbstractStreamOperator<FrameHandle>
        implements OneInputStreamOperator<Tuple2<StreamKey, FrameRecord>, FrameHandle>, BoundedOneInput, Triggerable<StreamKey, VoidNamespace> {
    private static final long serialVersionUID = 1L;
    /** How long a quiet slot must stay quiet, across two timers, before a silent stream counts as stopped. */
    static final long QUIET_CONFIRM_MILLIS = 500;
    /** Commands out for streams whose decoder is not open yet, as a multiple of {@code maxInFlight} (see {@link #opening}). */
    static final int OPENING_IN_FLIGHT_FACTOR = 16;
    /**
     * Access units a slot may hold for streams whose decoder is not open yet: 8 slots of 17 streams
     * at 4 Mbit/s, opening over 7 s, queue about 15 MB a slot; a producer of made-up streams gets no more.
     */
    static final long OPENING_BYTES = 64L << 20;
    /** How long closing waits for the workers to finish this slot's work before freeing the slot's GPU memory. */
    private static final long CLOSE_WAIT_SECONDS = 60;
    private final PipelineSpec spec;
    private final DecodeSettings settings;
    private final FrameReplaySource.Factory replaySource;
    private final DecoderOpener opener;

    private transient MailboxExecutor mailbox;
    private transient SlotLease slot;
    private transient SlotRuntime runtime;
    private transient Executor workers;
    /** Where a stream's work runs until its decoder is open ({@link DecodeWorkers#openers()}). */
    private transient Executor openers;
    private transient GopReplay replay;
    private transient Map<String, StreamTrack> streams;
    private transient PictureBounds bounds;
    /** The streams with a session, least recently used first: the first closed for the slot's cap. */
    private transient LinkedHashMap<String, StreamTrack> sessions;
    private transient ValueState<StreamPosition> positionState;
    private transient InternalTimerService<VoidNamespace> timers;
    private transient BadInputReporter bad;
    private transient DecodeStreamMetrics perStream;
    private transient Counter framesDecoded;
    private transient Counter suppressed;
    private transient Counter droppedOverload;
    private transient Counter skippedInterval;
    private transient Counter evicted;
    private transient Counter closedForCap;
    /** Replays: of restored streams, and of drained ones resuming mid-GOP (counted on the workers). */
    private transient AtomicLong replays;
    private transient Map<String, Counter> framesByEngine;
    /** Pixels per second of the streams with a session, summed on the task thread at most once a second, for the gauge. */
    private transient volatile double load;
    private transient long loadSummedMillis;
    /** The key groups this subtask owns: a key outside them means the router used other key groups than decode. */
    private transient KeyGroupRange keyGroups;
    private transient int inFlight;
    /**
     * Commands out for streams whose decoder is not open yet: they do not count against {@code
     * maxInFlight}, so that streams waiting for NVDEC hold back none of the open ones; {@link
     * #OPENING_IN_FLIGHT_FACTOR} times as many may be out.
     */
    private transient int openingInFlight;
    /** Bytes of access units in the commands of {@code openingInFlight}. */
    private transient long openingBytes;
    /**
     * The newest Kafka timestamp of any record this slot received, and since when the slot has had
     * nothing to do: no record came and no access unit was on the workers.
     */
    private transient long latestIngestMillis;
    /** The latest ingest time seen per Kafka partition of the frames topic (-1: records without offsets). */
    private transient Map<Integer, Long> latestIngestByPartition;
    private transient long idleSinceMillis;
    /** Commands of records (and of the end of input) whose events have not been handled: the slot is not quiet while any is out. */
    private transient int inputInFlight;
    private transient boolean restored;
    private transient volatile boolean closing;
    /** Event lists handed to the mailbox and not handled yet (by identity): their frames are given back if the task goes first. */
    private transient Set<List<DecodeEvent>> undelivered;

    /**
     * @param replaySource where streams' records are read again after a restore or a drain; null when
     *     the input does not come from Kafka (such streams resume at their next keyframe instead)
     */
    public DecodeOperator(PipelineSpec spec, DecodeSettings settings, FrameReplaySource.Factory replaySource) {
        this(spec, settings, replaySource, DecodeOperator::openOnSlot);
    }

    /** With decoders from {@code opener}: tests put decoders that fail in ways FFmpeg's do not here. */
    DecodeOperator(PipelineSpec spec, DecodeSettings settings, FrameReplaySource.Factory replaySource, DecoderOpener opener) {
        this.spec = spec;
        this.settings = settings;
        this.replaySource = replaySource;
        this.opener = opener;
    }

    /** Opens a stream's decoder, on a decode worker. */
    interface DecoderOpener extends Serializable {
        VideoDecoder open(SlotRuntime slot, String streamId, Codec codec);
    }

    private static VideoDecoder openOnSlot(SlotRuntime slot, String streamId, Codec codec) {
        return slot.openDecoder(codec);
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
        openers = DecodeWorkers.openers();
        replay = new GopReplay(replaySource);
        var task = getRuntimeContext().getTaskInfo();
        keyGroups = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(task.getMaxNumberOfParallelSubtasks(),
                task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        streams = new HashMap<>();
        latestIngestByPartition = new HashMap<>();
        bounds = PictureBounds.of(runtime.spec());
        sessions = new LinkedHashMap<>(16, 0.75f, true);
        undelivered = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        positionState = getRuntimeContext().getState(new ValueStateDescriptor<>("vxflow-position", StreamPositionSerializer.INSTANCE));
        timers = getInternalTimerService("vxflow-idle", VoidNamespaceSerializer.INSTANCE, this);
        perStream = new DecodeStreamMetrics(slot.streamMetrics(), getMetricGroup());
        bad = new BadInputReporter(getMetricGroup(), perStream);
        framesDecoded = getMetricGroup().counter("framesDecoded");
        suppressed = getMetricGroup().counter("framesSuppressedOutOfOrder");
        droppedOverload = getMetricGroup().counter("framesDroppedOverload");
        skippedInterval = getMetricGroup().counter("framesSkippedInterval");
        evicted = getMetricGroup().counter("streamsEvicted");
        closedForCap = getMetricGroup().counter("streamsClosedForCap");
        replays = new AtomicLong();
        getMetricGroup().gauge("replays", replays::get);
        framesByEngine = new HashMap<>();
        getMetricGroup().gauge("streams", () -> streams.size());
        getMetricGroup().gauge("decoderSessions", () -> sessions.size());
        getMetricGroup().gauge("decodeInFlight", () -> inFlight);
        getMetricGroup().gauge("decodeOpeningInFlight", () -> openingInFlight);
        getMetricGroup().gauge("load", () -> load);
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
        List<StreamKey> keys = new ArrayList<>();
        KeyedStateBackend<StreamKey> backend = getKeyedStateBackend();
        try (var all = backend.getKeys("vxflow-position", VoidNamespace.INSTANCE)) {
            all.forEach(keys::add);
        }
        Map<Integer, List<GopReplay.Range>> byPartition = new HashMap<>();
        for (StreamKey key : keys) {
            setCurrentKey(key);
            StreamPosition stored = positionState.value();
            if (stored == null || streams.containsKey(key.streamId())) {
                continue;
            }
            String id = key.streamId();
            StreamPosition p = stored.copy(); // the backend's object is not ours to change in place
            StreamTrack t = newTrack(key, p);
            t.persisted = true;
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
                // the replay opens the decoder, so it runs on the openers, whole: up to the GOPs the position
                // keeps, on 8 threads (NVDEC decodes about 590 frames/s on one)
                submit(t, false, (s, out) -> replayInto(s, read.join().get(r.streamId()), out));
            }
        });
    }

    @Override
    public void processElement(StreamRecord<Tuple2<StreamKey, FrameRecord>> element) throws Exception {
        StreamKey key = element.getValue().f0;
        FrameRecord r = element.getValue().f1;
        if (!r.isValid() && r.error() == DecodeError.NO_STREAM_ID) {
            bad.report(r.streamId(), r.error(), r.detail(), "the record is dropped: it belongs to no stream");
            return;
        }
        StreamTrack t = track(key);
        t.lastSeenMillis = getProcessingTimeService().getCurrentProcessingTime();
        armTimer(t);
        sumLoad(t.lastSeenMillis);
        if (t.session != null) {
            sessions.get(t.streamId); // most recently used now
        }
        AccessUnit unit = r.unit();
        if (unit != null && unit.keyframe()) {
            awaitKeyframeRoom(t, r.partition());
        }
        StreamPosition p = t.position;
        int partition = p.partition;
        long from = p.canReplay() ? p.replayFrom() : -1;
        long to = p.lastOffset;
        DecodeEvent.BadInput refused = unit == null ? null : screen(t, unit);
        // per-stream metrics open with the first unit that may reach a decoder: made-up ids of garbage open no series
        if (t.session != null || !p.isFresh() || (unit != null && refused == null)) {
            perStream.received(t.streamId);
        }
        // a refused keyframe is no place to replay from
        p.received(r.partition(), r.offset(), unit != null && unit.keyframe() && refused == null, unit != null ? unit.ptsMicros() : 0,
                r.ingestMillis());
        latestIngestMillis = Math.max(latestIngestMillis, r.ingestMillis());
        latestIngestByPartition.merge(r.partition(), r.ingestMillis(), Math::max);
        idleSinceMillis = t.lastSeenMillis;
        if (unit == null || refused != null) {
            if (unit == null) {
                bad.report(t.streamId, r.error(), r.detail(), "the stream waits for its next keyframe");
            } else {
                bad.report(t.streamId, refused.reason(), refused.detail(), refused.consequence());
            }
            if (t.session != null) {
                submit(t, true, StreamSession::invalid);
            }
            return;
        }
        t.rate.record(unit.ptsMicros());
        long ingest = r.ingestMillis();
        if (settings.overload().drop() && unit.keyframe()) {
            t.skippingGop = settings.overload().tooLate(ingest, System.currentTimeMillis());
        }
        if (t.skippingGop) {
            submit(t, true, unit.data().length, (s, out) -> s.skip(unit, ingest, out));
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
        submit(t, true, unit.data().length, (s, out) -> s.decode(unit, ingest, gop, out));
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

    /**
     * What the task thread refuses before any worker sees it: a unit over the size limit; and, for a
     * stream without a session (so without a decoder), anything but a keyframe whose parameter sets
     * pass the limits. A stream of garbage thus costs no session, no queue and no worker time; the
     * session checks every unit again (replays come to it without passing here).
     */
    private DecodeEvent.BadInput screen(StreamTrack t, AccessUnit unit) {
        DecodeLimits limits = settings.limits();
        DecodeEvent.BadInput tooLong = limits.refuseSize(unit.data().length);
        if (tooLong != null || t.session != null || t.skippingGop) {
            return tooLong;
        }
        return unit.keyframe() ? limits.refusal(unit, bounds, true) : StreamSession.notAKeyframe(unit);
    }

    private static void replayInto(StreamSession s, GopReplay.Result result, List<DecodeEvent> out) {
        if (result.unavailable() != null) {
            s.replayUnavailable(result.unavailable(), out);
        } else {
            s.replay(result.records(), out);
        }
    }

    /**
     * The stream's track, its position read from state under {@code key} (the current key) when it is
     * new here. A stream comes here under a second key when the router gave it a key group after its
     * first records (they came by the hash of its id) or placed it anew after the state expiry (then
     * decode has expired it, or is about to): the track follows the latest key, its position moved
     * under it at the next checkpoint.
     */
    private StreamTrack track(StreamKey key) throws Exception {
        StreamTrack t = streams.get(key.streamId());
        if (t == null) {
            StreamPosition stored = positionState.value();
            t = newTrack(key, stored != null ? stored.copy() : new StreamPosition());
        } else if (!t.key.equals(key)) {
            if (t.persisted) {
                setCurrentKey(t.key);
                positionState.clear();
                setCurrentKey(key);
                t.persisted = false;
            }
            t.key = key;
        }
        return t;
    }

    private StreamTrack newTrack(StreamKey key, StreamPosition p) {
        if (!keyGroups.contains(key.keyGroup())) {
            // the router and decode disagree on the key groups (a max parallelism set on one and not the other)
            throw new IllegalStateException("stream " + key.streamId() + " was routed to key group " + key.keyGroup()
                    + ", which this decode subtask does not own (" + keyGroups + ")");
        }
        StreamTrack t = new StreamTrack(key, p);
        t.interval = settings.interval().of(key.streamId());
        streams.put(key.streamId(), t);
        return t;
    }

    /** Sums the load of the streams with a session for the {@code load} gauge, at most once a second. */
    private void sumLoad(long now) {
        if (now - loadSummedMillis < 1_000 && now >= loadSummedMillis) {
            return;
        }
        loadSummedMillis = now;
        double sum = 0;
        for (StreamTrack t : streams.values()) {
            if (t.session != null) {
                sum += (double) t.width * t.height * t.rate.fps();
            }
        }
        load = sum;
    }

    /**
     * Gives a stream a session (its decoder opens on the worker, at a keyframe); at the slot's cap the
     * least recently used stream's session is closed first, after handing out what its decoder held.
     */
    private void openSession(StreamTrack t) {
        if (sessions.size() >= settings.limits().maxStreamsPerSlot()) {
            StreamTrack lru = sessions.values().iterator().next();
            closeSession(lru);
            closedForCap.inc();
        }
        String id = t.streamId;
        t.session = new StreamSession(id, codec -> opener.open(runtime, id, codec), bounds, settings.limits());
        // until its decoder is open the stream runs on the openers (the queue keeps its order across the move)
        t.awaitingOpen = t.session;
        if (t.queue == null) {
            t.queue = new DecodeWorkers.Queue(openers);
        } else {
            t.queue.runOn(openers);
        }
        sessions.put(id, t);
    }

    /**
     * Hands a command to the stream's worker queue; its events come back through the mailbox. With
     * {@code wait}, first works the mailbox while the slot already has its fill of commands out.
     */
    private void submit(StreamTrack t, boolean wait, BiConsumer<StreamSession, List<DecodeEvent>> command) {
        submit(t, wait, 0, command);
    }

    /** @param bytes what the command keeps in memory until it runs (its access unit) */
    private void submit(StreamTrack t, boolean wait, long bytes, BiConsumer<StreamSession, List<DecodeEvent>> command) {
        // counted where it was decided: a worker may move the queue meanwhile, and the count must come back where it went
        boolean opening = opening(t);
        if (wait) {
            while (opening ? openingInFlight >= OPENING_IN_FLIGHT_FACTOR * settings.maxInFlight() || openingBytes >= OPENING_BYTES
                    : inFlight >= settings.maxInFlight()) {
                try {
                    mailbox.yield();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the decode workers", e);
                }
                opening = opening(t);
            }
        }
        if (t.session == null) {
            openSession(t);
            opening = true;
        }
        StreamSession s = t.session;
        DecodeWorkers.Queue q = t.queue;
        boolean onOpeners = opening;
        long counted = opening ? bytes : 0;
        if (opening) {
            openingInFlight++;
            openingBytes += counted;
        } else {
            inFlight++;
        }
        t.inFlight++;
        boolean input = wait;
        if (input) {
            inputInFlight++;
        }
        q.execute(() -> {
            List<DecodeEvent> events = new ArrayList<>(2);
            boolean empty = false;
            try {
                command.accept(s, events);
                empty = s.holdsNothing();
                if (s == t.awaitingOpen && s.decoderOpen()) {
                    // open: the stream's next units decode on the workers (not for a closed session's last
                    // units, which may run after a new session of the stream went to the openers)
                    t.awaitingOpen = null;
                    q.runOn(workers);
                }
            } catch (RuntimeException e) {
                events.add(new DecodeEvent.Failure(e));
            } catch (Error e) {
                events.add(new DecodeEvent.Failure(new IllegalStateException("decode worker failed: " + e, e)));
            }
            deliver(t, s, events, empty, input, onOpeners, counted);
        });
    }

    /**
     * Whether a command for {@code t} runs on the openers: a stream with its decoder open counts
     * against the slot's {@code maxInFlight}; one whose decoder is not open yet against a budget of its
     * own ({@link #OPENING_IN_FLIGHT_FACTOR} times as many commands, at most {@link #OPENING_BYTES} of
     * access units), so that while NVDEC sets decoders up one after another the open streams of the
     * slot go on decoding, and a producer of made-up streams can make the slot hold no more than that.
     */
    private boolean opening(StreamTrack t) {
        return t.session == null || t.queue == null || t.queue.runsOn() == openers;
    }

    /** On the worker: sends the events to the task thread, or gives back the frames if the task is gone. */
    private void deliver(StreamTrack t, StreamSession s, List<DecodeEvent> events, boolean empty, boolean input, boolean opening, long bytes) {
        if (closing) {
            releaseFrames(events, 0);
            return;
        }
        undelivered.add(events);
        try {
            mailbox.execute(() -> handle(t, s, events, empty, input, opening, bytes), "decoded frames of a stream");
        } catch (RejectedExecutionException e) {
            undelivered.remove(events);
            releaseFrames(events, 0);
        }
    }

    /**
     * On the task thread: emits, withholds or counts what a worker reported, in the stream's order.
     * A session that was left holding nothing ({@code empty}) goes, with its queue, once no other
     * command of the stream is out.
     */
    private void handle(StreamTrack t, StreamSession session, List<DecodeEvent> events, boolean empty, boolean input, boolean opening,
            long bytes) {
        if (!undelivered.remove(events)) {
            return; // given back by close()
        }
        if (opening) {
            openingInFlight--;
            openingBytes -= bytes;
        } else {
            inFlight--;
        }
        t.inFlight--;
        if (input && --inputInFlight == 0) {
            // the slot's input is done with; housekeeping (drains, closes) does not make it busy
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
        if (empty && t.inFlight == 0 && t.session == session) {
            t.session = null;
            t.queue = null; // nothing of the stream is queued: a new queue keeps its order
            sessions.remove(t.streamId);
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
        String notAnalysed = notAnalysed(t, index, settings.overload().tooLate(f.ingestMillis(), System.currentTimeMillis()));
        if (notAnalysed != null) {
            f.frame().release(); // nothing after decode spends anything on it
            h = FrameHandle.dropped(t.streamId, index, pts, t.width, t.height, f.ingestMillis(), f.engine(), notAnalysed);
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
        output.collect(new StreamRecord<>(FrameHandle.dropped(t.streamId, index, pts, t.width, t.height, ingestMillis, t.engine,
                notAnalysed(t, index, true))));
    }

    /**
     * Why the stream's frame {@code index} goes unanalysed, counted, or null when it is analysed: the
     * interval first (such a frame is never analysed, late or not), then overload ({@code late}).
     */
    private String notAnalysed(StreamTrack t, long index, boolean late) {
        if (!InferenceInterval.analyses(t.interval, index)) {
            skippedInterval.inc();
            perStream.skippedByInterval(t.streamId);
            return InferenceInterval.REASON;
        }
        if (late) {
            droppedOverload.inc();
            perStream.dropped(t.streamId);
            return OverloadPolicy.REASON;
        }
        return null;
    }

    private static void releaseFrames(List<DecodeEvent> events, int from) {
        for (int i = from; i < events.size(); i++) {
            if (events.get(i) instanceof DecodeEvent.Frame f) {
                f.frame().release();
            }
        }
    }

    private void armTimer(StreamTrack t) {
        if (!t.idleTimerPending) {
            armTimer(t, 0, -1);
        }
    }

    /**
     * Registers the stream's timer at its next silence threshold after {@code silent} (idle flush,
     * eviction, expiry), or at {@code recheck} (a time, -1 for none) when that comes first, if any.
     */
    private void armTimer(StreamTrack t, long silent, long recheck) {
        long next = Long.MAX_VALUE;
        for (long threshold : new long[] {settings.idleFlushMillis(), settings.evictAfterMillis(), settings.stateExpiryMillis()}) {
            if (threshold > silent && threshold < next) {
                next = threshold;
            }
        }
        long at = next == Long.MAX_VALUE ? Long.MAX_VALUE : t.lastSeenMillis + next;
        if (recheck > 0) {
            at = Math.min(at, recheck);
        }
        if (at != Long.MAX_VALUE) {
            t.idleTimerPending = true;
            timers.registerProcessingTimeTimer(VoidNamespace.INSTANCE, at);
        }
    }

    /** The first silence threshold: when a stream that never emitted anything is forgotten. */
    private long firstThreshold() {
        long first = Long.MAX_VALUE;
        for (long threshold : new long[] {settings.idleFlushMillis(), settings.evictAfterMillis(), settings.stateExpiryMillis()}) {
            if (threshold > 0 && threshold < first) {
                first = threshold;
            }
        }
        return first;
    }

    @Override
    public void onProcessingTime(InternalTimer<StreamKey, VoidNamespace> timer) throws Exception {
        StreamTrack t = streams.get(timer.getKey().streamId());
        if (t == null) {
            return; // a timer restored from a checkpoint for a stream this attempt has not seen yet
        }
        setCurrentKey(t.key); // the timer may be one armed under the stream's earlier key
        sumLoad(getProcessingTimeService().getCurrentProcessingTime());
        t.idleTimerPending = false;
        long now = getProcessingTimeService().getCurrentProcessingTime();
        long silent = now - t.lastSeenMillis;
        long expiry = settings.stateExpiryMillis();
        // a stream that never emitted a frame and has no decoder holds nothing worth keeping: garbage ids go at once
        boolean nothingToKeep = t.position.isFresh() && t.session == null && t.inFlight == 0 && silent >= firstThreshold();
        if (nothingToKeep) {
            expire(t);
            return;
        }
        // every step below acts only on a stream that has stopped sending, not on one whose data is merely late
        // (backpressure, a starved or catching-up job): evicting that one would make it resume mid-GOP at its next
        // keyframe, expiring it would restart its numbering, draining it could hand out frames out of order
        boolean deferred = false;
        if (expiry > 0 && silent >= expiry) {
            if (stoppedSending(t, now, expiry)) {
                expire(t);
                return;
            }
            deferred = true;
        }
        long idle = settings.idleFlushMillis();
        long evictAfter = settings.evictAfterMillis();
        if (evictAfter > 0 && silent >= evictAfter) {
            if (stoppedSending(t, now, evictAfter)) {
                evict(t);
            } else {
                deferred = true;
            }
        } else if (idle > 0 && silent >= idle && t.session != null) {
            if (stoppedSending(t, now, idle)) {
                submit(t, false, (s, out) -> s.drainIfNothingPrecedes(out));
            } else {
                deferred = true;
            }
        }
        // a second look soon when the slot was found quiet for the first time, else after half the shortest threshold
        long recheck = t.quietSeenMillis == now ? now + QUIET_CONFIRM_MILLIS : now + Math.max(QUIET_CONFIRM_MILLIS, firstThreshold() / 2);
        armTimer(t, silent, deferred ? recheck : -1);
    }

    /**
     * Whether a stream silent in processing time for {@code threshold} has really stopped sending,
     * rather than having its data held up with everybody else's: the slot has received records of the
     * stream's own Kafka partition ingested at least {@code threshold} after the stream's last one
     * (records of one partition arrive in order; partitions read by different source subtasks can be
     * far apart when the job lags, so another partition's records count only at twice the
     * threshold), or the slot has had nothing at
     * all to do for that long (no record and no unit on the workers), seen at two timers at least
     * {@value #QUIET_CONFIRM_MILLIS} ms apart with no record in between. Under backpressure, while a
     * restored job catches up, or in a process starved of CPU every stream looks silent in processing
     * time; a slot whose own decoders are behind (units in flight, so its input waits) is not quiet,
     * and after a stall of the whole task its timers fire before the input queued meanwhile is read,
     * hence the second look.
     */
    private boolean stoppedSending(StreamTrack t, long now, long threshold) {
        long last = t.position.lastIngestMillis;
        Long ownPartition = latestIngestByPartition.get(t.position.partition);
        if ((ownPartition != null && ownPartition - last >= threshold) || latestIngestMillis - last >= 2 * threshold) {
            t.quietSeenMillis = 0;
            return true;
        }
        boolean quiet = inputInFlight == 0 && now - idleSinceMillis >= threshold;
        if (!quiet) {
            t.quietSeenMillis = 0;
            return false;
        }
        if (t.quietSeenMillis == 0 || t.quietSeenMillis < idleSinceMillis) {
            t.quietSeenMillis = now;
            return false;
        }
        return now - t.quietSeenMillis >= QUIET_CONFIRM_MILLIS;
    }

    @Override
    public void onEventTime(InternalTimer<StreamKey, VoidNamespace> timer) {}

    /**
     * Closes a long-silent stream's decoder after handing out what it held; its replay range goes (all
     * it could give has been emitted), its numbering stays, and a returning stream starts at a keyframe.
     */
    private void evict(StreamTrack t) {
        if (t.session != null) {
            closeSession(t);
            evicted.inc();
        }
        perStream.evicted(t.streamId);
    }

    /** Closes a stream's session on its queue (its decoder hands out what it held first); a returning stream starts at a keyframe. */
    private void closeSession(StreamTrack t) {
        submit(t, false, StreamSession::close);
        t.session = null;
        sessions.remove(t.streamId);
        t.position.forgetReplay();
    }

    /** Forgets a stream silent for longer than the state expiry (or one that never emitted anything): decoder, position and all. */
    private void expire(StreamTrack t) {
        evict(t);
        streams.remove(t.streamId);
        positionState.clear();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        // positions live on the heap between checkpoints; the state backend gets copies (it snapshots asynchronously)
        for (StreamTrack t : streams.values()) {
            if (t.position.isFresh()) {
                // says nothing: streams of garbage cost the checkpoint nothing
                if (t.persisted) {
                    setCurrentKey(t.key);
                    positionState.clear();
                    t.persisted = false;
                }
                continue;
            }
            setCurrentKey(t.key);
            positionState.update(t.position.copy());
            t.persisted = true;
        }
    }

    @Override
    public void endInput() throws Exception {
        awaitWorkers();
        // a copy: while a submit waits, the mailbox may run timers that forget streams
        for (StreamTrack t : new ArrayList<>(streams.values())) {
            if (t.session != null) {
                submit(t, true, StreamSession::drain);
            }
        }
        awaitWorkers();
    }

    private void awaitWorkers() throws InterruptedException {
        while (inFlight + openingInFlight > 0) {
            mailbox.yield();
        }
    }

    /** How it runs: the chain's router takes the limits and the state expiry from here. */
    public DecodeSettings settings() {
        return settings;
    }

    /** For tests: commands whose events have not been handled yet. */
    int inFlight() {
        return inFlight + openingInFlight;
    }

    /** For tests: commands out for streams whose decoder is not open yet. */
    int openingInFlight() {
        return openingInFlight;
    }

    /** For tests: streams this slot tracks. */
    int trackedStreams() {
        return streams.size();
    }

    /** For tests: streams with a decoder session. */
    int openStreams() {
        return sessions.size();
    }

    /** For tests: streams with per-stream metrics open. */
    int streamsWithMetrics() {
        return slot.streamMetrics().liveStreams();
    }

    /** For tests: streams with a queue on the decode workers. */
    int queuedStreams() {
        return (int) streams.values().stream().filter(t -> t.queue != null).count();
    }

    /** For tests: sessions closed to stay within the slot's cap. */
    long closedForCap() {
        return closedForCap.getCount();
    }

    /** For tests: streams whose decoder was closed for silence. */
    long evictedCount() {
        return evicted.getCount();
    }

    /** For tests: frames withheld as overtaken by a drain (lost to keep a stream unique and in pts order). */
    long suppressedOutOfOrder() {
        return suppressed.getCount();
    }

    /** For tests: frames dropped under the overload policy. */
    long droppedForOverload() {
        return droppedOverload.getCount();
    }

    /** For tests: frames the inference interval left unanalysed. */
    long skippedForInterval() {
        return skippedInterval.getCount();
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
                List<StreamTrack> queued = streams.values().stream().filter(t -> t.queue != null).toList();
                CountDownLatch done = new CountDownLatch(queued.size());
                for (StreamTrack t : queued) {
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
