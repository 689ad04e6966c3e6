package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.cuda.CudaException;
import io.vxflow.gpu.decode.DecodeException;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.ParameterSetScan;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.operators.decode.DecodeEvent.Origin;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's decoder, driven by a decode worker: a Flink-free state machine that turns the
 * stream's commands (decode, skip, replay, drain, close) into {@link DecodeEvent}s. It never waits for
 * the task thread and the task thread never waits for it; what is emitted is decided there, from the
 * events' {@link Origin}.
 *
 * <pre>
 *   AWAITING_KEYFRAME --keyframe--> DECODING --error / codec change / invalid record--> AWAITING_KEYFRAME
 *   DECODING --drain (frames were held)--> DRAINED --keyframe--> DECODING
 *                                          DRAINED --other unit: replay its GOP from Kafka--> DECODING
 *   any --skip (overload, from a keyframe on)--> SKIPPING --keyframe, decoded--> DECODING
 *   any --close--> CLOSED
 * </pre>
 *
 * <p>The decoder opens at the stream's first keyframe (never for a stream that sends none), on the
 * worker, so a joining stream costs the other streams of its slot nothing. Every unit is held against
 * the {@link DecodeLimits} first (its size, the picture size its SPS claims): a refused unit never
 * reaches a decoder, and a keyframe opens one only with parameter sets that pass. A failure decoding
 * one access unit is that stream's problem: it is reported as bad input (a new reason, {@code
 * decoder-failure}, when FFmpeg's error names none) and the stream resumes at its next keyframe; the
 * decoder is closed when the failure is not FFmpeg's own report of damage, and also when the decoder
 * never produced a frame (garbage that merely claims to be a keyframe keeps no decoder open). Only a
 * CUDA error, which poisons the context every stream of the slot shares, is a {@link
 * DecodeEvent.Failure}.
 *
 * <p><b>After a replay</b> frames are marked {@link Origin#REPLAYED}, then {@link Origin#GUARDED}
 * until a frame at or after the first keyframe decoded after the replay is out: before that, a drain
 * may have handed out frames that later units would have preceded.
 *
 * <p>Skipped access units (overload) are reported in presentation order, the way a decoder's reorder
 * buffer would: once the decoder has told the stream's reorder depth d, a skipped unit is reported
 * when d later ones have arrived (at once for a stream without B-frames); before that, when its GOP
 * ends.
 *
 * <p>Owns its decoder. Used by one thread at a time (the stream's serial queue guarantees it).
 */
final class StreamSession {
    enum State { AWAITING_KEYFRAME, DECODING, DRAINED, SKIPPING, CLOSED }

    private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);
    private static final int MAX_TRACKED_PTS = 64;
    private final String streamId;
    private final Function<Codec, VideoDecoder> opener;
    private final PictureBounds bounds;
    private final DecodeLimits limits;
    /** Units fed whose frames have not come out, by pts, with their ingest times. */
    private final PtsBag ingestByPts = new PtsBag();
    /**
     * The same units as {@link #ingestByPts}, each with its GOP: the number of units with an IDR (HEVC:
     * IRAP) slice fed before it, its own included. A decoder hands out every picture decoded before
     * such a unit before any of its own GOP (H.264 and HEVC require it), so when a picture of a GOP
     * comes out, units of earlier GOPs still held will never have one.
     */
    private final PtsBag gopByPts = new PtsBag();
    /** Units with an IDR (IRAP) slice fed to a decoder of this stream: the GOP number of the units fed after the last one. */
    private long gopsFed;
    /** Pts fed during a replay whose frames have not come out yet: they are repeats too when they do. */
    private final Set<Long> replayedHeld = new HashSet<>();
    /**
     * Pts of units given up when the stream last went back to waiting for a keyframe (the damaged unit
     * and those held with it). FFmpeg can still hand out a picture of one after its flush and the next
     * keyframe (found by the fuzzer: a rejected HEVC keyframe's picture came out with the next GOP); such
     * a picture belongs to a unit counted as bad input and is dropped, until the first frame that is not one.
     */
    private final PtsBag givenUpPts = new PtsBag();
    private final List<DecodeEvent.Skipped> skipped = new ArrayList<>();
    private VideoDecoder decoder;
    /** Whether the open decoder has handed out a frame: one that fails before it ever did is closed. */
    private boolean decoderProducedFrame;
    private State state = State.AWAITING_KEYFRAME;
    /** Units fed since the last reset minus frames out: what a drain would hand out. */
    private int held;
    /** The stream's reorder depth as the decoder learned it, -1 until a decoder has seen the stream. */
    private int reorderDepth = -1;
    private boolean replaying;
    private boolean guarding;
    private long guardUntilPts = Long.MAX_VALUE;
    private int width;
    private int height;
    /** The last pts the decoder handed out (Long.MIN_VALUE before any). */
    private long lastOutPts = Long.MIN_VALUE;
    /** The smallest step between consecutive pts handed out: the stream's frame interval, as far as seen. */
    private long ptsStep = Long.MAX_VALUE;
    /** Whether keeping held frames at an idle flush was logged since the last frame out. */
    private boolean keptHeldLogged;
    /** Times the stream went from skipping to decoding at an IDR without resetting its decoder. */
    private long resumedWithoutReset;
    /** Whether the stream is skipping with its decoder as decoding left it (neither drained nor damaged since). */
    private boolean keptUnflushed;

    /** For tests: pictures up to {@code maxWidth} x {@code maxHeight} into a 640x640 model input, default limits. */
    StreamSession(String streamId, Function<Codec, VideoDecoder> opener, int maxWidth, int maxHeight) {
        this(streamId, opener, maxWidth, maxHeight, DecodeLimits.DEFAULTS);
    }

    /** For tests: pictures up to {@code maxWidth} x {@code maxHeight} into a 640x640 model input. */
    StreamSession(String streamId, Function<Codec, VideoDecoder> opener, int maxWidth, int maxHeight, DecodeLimits limits) {
        this(streamId, opener, new PictureBounds(maxWidth, maxHeight, 640, 640), limits);
    }

    StreamSession(String streamId, Function<Codec, VideoDecoder> opener, PictureBounds bounds, DecodeLimits limits) {
        this.streamId = streamId;
        this.opener = opener;
        this.bounds = bounds;
        this.limits = limits;
    }

    State state() {
        return state;
    }

    /** For tests: times the stream went from skipping to decoding at an IDR without resetting its decoder. */
    long resumedWithoutReset() {
        return resumedWithoutReset;
    }

    /** Whether a decoder is open (its NVDEC session or FFmpeg context held). */
    boolean decoderOpen() {
        return decoder != null;
    }

    /**
     * Whether the session holds nothing a new one would not start with: no decoder, nothing skipped
     * to report, waiting for a keyframe. The task thread may then drop it, so that a stream whose
     * input never decodes costs no session.
     */
    boolean holdsNothing() {
        return decoder == null && skipped.isEmpty() && state == State.AWAITING_KEYFRAME;
    }

    /** Decodes one access unit of a stream that is never drained mid-GOP (tests). */
    void decode(AccessUnit unit, long ingestMillis, List<DecodeEvent> out) {
        decode(unit, ingestMillis, () -> GopReplay.Result.missing("no replay source"), out);
    }

    /**
     * Decodes one access unit. A drained decoder that gets a unit other than a keyframe first rebuilds
     * its references from {@code gop}, the stream's units since its last keyframe read back from Kafka.
     */
    void decode(AccessUnit unit, long ingestMillis, Supplier<GopReplay.Result> gop, List<DecodeEvent> out) {
        ensureOpen();
        if (state == State.DRAINED && !unit.keyframe() && decoder != null && decoder.codec() == unit.codec()) {
            GopReplay.Result r = gop.get();
            if (r.unavailable() != null) {
                replayUnavailable(r.unavailable(), out);
            } else {
                replay(r.records(), out);
            }
        }
        decode(unit, ingestMillis, false, out);
    }

    /**
     * Skips one access unit unanalysed because the job is behind; the decoder keeps nothing of it, so
     * decoding resumes at a keyframe. Units of the GOP before whose frames the decoder still holds
     * for reordering are skipped too, first: ingested no later than this late one (a stream's units
     * arrive in one partition's order), they are at least as late. The decoder is not flushed: after
     * a flush FFmpeg's H.264 decoder sets itself up again at the next picture, hwaccel included, and
     * on NVDEC that means a new decoder session and frame pool (240 ms) each time a stream goes from
     * skipping to decoding, which at twice NVDEC's capacity, with hundreds of streams switching every
     * GOP, stalled the whole job for seconds at a time. The pictures it keeps come out when it decodes
     * again and are released unseen, like those of units given up for bad input. (Held units ingested
     * after this one, which only a producer writing its own timestamps can cause, may not be late:
     * then the decoder is drained, as it is when too many pts are tracked.)
     */
    void skip(AccessUnit unit, long ingestMillis, List<DecodeEvent> out) {
        ensureOpen();
        if (unit.keyframe()) {
            flushSkipped(out);
        }
        if (state == State.DECODING) {
            keptUnflushed = canSkipHeld(ingestMillis);
            if (keptUnflushed) {
                skipHeld(ingestMillis, out);
            } else {
                drainDecoder(out);
            }
        } else if (state != State.SKIPPING) {
            keptUnflushed = false; // waiting for a keyframe (after damage, say) or drained: the next keyframe resets as ever
        }
        state = State.SKIPPING;
        skipped.add(new DecodeEvent.Skipped(unit.ptsMicros(), ingestMillis));
        if (reorderDepth >= 0) {
            skipped.sort((a, b) -> Long.compare(a.pts(), b.pts()));
            while (skipped.size() > reorderDepth) {
                out.add(skipped.remove(0));
            }
        }
    }

    /**
     * Whether the units the decoder holds can be reported as skipped now, their pictures given up:
     * each is tracked (the pts bag matches the count held), none was ingested after the late unit
     * (then it may not be late), none is a replayed unit or one decoded while guarding order after a
     * replay (their results may already be out, or must wait), and the pts they add stay trackable.
     * Otherwise the decoder is drained, as before.
     */
    private boolean canSkipHeld(long ingestMillis) {
        return ingestByPts.size() == held && replayedHeld.isEmpty() && !guarding
                && givenUpPts.size() + ingestByPts.size() <= MAX_TRACKED_PTS && ingestByPts.maxValue() <= ingestMillis;
    }

    /** Reports the units whose frames the decoder holds as skipped, in presentation order, and gives their pictures up. */
    private void skipHeld(long ingestMillis, List<DecodeEvent> out) {
        List<Long> pts = ingestByPts.sortedPts();
        givenUpPts.addAll(ingestByPts);
        for (long p : pts) {
            Long ingest = ingestByPts.take(p);
            out.add(new DecodeEvent.Skipped(p, ingest != null ? ingest : ingestMillis));
        }
        held = 0;
        ingestByPts.clear();
        gopByPts.clear();
        replayedHeld.clear();
    }

    /** An invalid record of this stream (the task thread counted it): wait for the next keyframe. */
    void invalid(List<DecodeEvent> out) {
        flushSkipped(out);
        awaitKeyframe();
    }

    /**
     * Decodes records read again from Kafka, from a keyframe on, to rebuild the decoder's references;
     * the frames come out {@link Origin#REPLAYED}. It repeats what the first pass did (an invalid record
     * again means waiting for a keyframe) without reporting the bad input a second time.
     */
    void replay(List<FrameRecord> records, List<DecodeEvent> out) {
        ensureOpen();
        flushSkipped(out);
        awaitKeyframe();
        List<DecodeEvent> quiet = new ArrayList<>();
        replaying = true;
        try {
            for (FrameRecord r : records) {
                if (!r.isValid()) {
                    awaitKeyframe();
                    continue;
                }
                if (state != State.DECODING && !r.unit().keyframe()) {
                    continue;
                }
                decode(r.unit(), r.ingestMillis(), true, quiet);
                for (DecodeEvent e : quiet) {
                    if (!(e instanceof DecodeEvent.BadInput)) {
                        out.add(e);
                    }
                }
                quiet.clear();
            }
        } finally {
            replaying = false;
        }
        guarding = true;
        guardUntilPts = Long.MAX_VALUE;
    }

    /** The stream resumes only at a keyframe: its units since the last one could not be read again. */
    void replayUnavailable(String why, List<DecodeEvent> out) {
        flushSkipped(out);
        awaitKeyframe();
        out.add(new DecodeEvent.BadInput(DecodeError.REPLAY_UNAVAILABLE, why, "the stream resumes at its next keyframe"));
    }

    /**
     * The idle flush: hands out the frames the decoder holds for reordering only when no frame the
     * stream has not sent yet can precede them, that is when the held frames' pts continue the frames
     * already out without a gap, on the stream's frame interval (the smallest step between frames out,
     * a step of up to one and a half intervals counting as no gap).
     * A stream silent in the middle of a B-frame group (its producer stalled, or its partition, or it
     * was cut off) keeps them: draining then would hand out frames its next B-frames must precede, and
     * those B-frames would be lost when it goes on. They come out when it goes on, or when its decoder
     * is closed at eviction. Where the interval is not known yet (fewer than two frames out) nothing
     * is drained either.
     *
     * @return whether nothing is left held (drained now, or nothing was held)
     */
    boolean drainIfNothingPrecedes(List<DecodeEvent> out) {
        flushSkipped(out);
        if (state != State.DECODING || held == 0) {
            return true;
        }
        String missing = firstMissingPts();
        if (missing != null) {
            if (!keptHeldLogged) {
                keptHeldLogged = true;
                LOG.info("stream '{}' went silent holding {} frame(s) for reordering, but {}: they are kept until it goes on "
                        + "or its decoder is evicted (draining now would lose the frames that precede them)", streamId, held, missing);
            }
            return false;
        }
        drainDecoder(out);
        return true;
    }

    /** Why the held frames might not be the next ones in presentation order, or null when they are. */
    private String firstMissingPts() {
        if (lastOutPts == Long.MIN_VALUE || ptsStep == Long.MAX_VALUE) {
            return "its frame interval is not known yet";
        }
        if (ingestByPts.size() != held) {
            return "which pts it holds is not known";
        }
        // pts converted from a 90 kHz (or any) time base step unevenly by a microsecond: a frame is the next one
        // when it follows the previous within one and a half intervals; a missing frame leaves two
        long previous = lastOutPts;
        for (long pts : ingestByPts.sortedPts()) {
            if (pts - previous > ptsStep + ptsStep / 2) {
                return "the frame after pts " + previous + " has not arrived";
            }
            previous = pts;
        }
        return null;
    }

    /**
     * Hands out the frames the decoder holds for reordering, whatever may still precede them (end of
     * input, closing); then it needs a keyframe or a replay. Does nothing when it holds none.
     */
    void drain(List<DecodeEvent> out) {
        flushSkipped(out);
        if (state == State.DECODING && held > 0) {
            drainDecoder(out);
        }
    }

    /** Drains, then closes the decoder (its NVDEC session and frame pool go with it). Idempotent. */
    void close(List<DecodeEvent> out) {
        if (state == State.CLOSED) {
            return;
        }
        drain(out);
        closeDecoder();
        state = State.CLOSED;
    }

    private void ensureOpen() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("stream " + streamId + " is closed");
        }
    }

    private void decode(AccessUnit unit, long ingestMillis, boolean replayed, List<DecodeEvent> out) {
        DecodeEvent.BadInput refused = limits.refusal(unit, bounds, decoder == null);
        if (refused != null) {
            if (unit.keyframe()) {
                flushSkipped(out);
            }
            out.add(refused);
            awaitKeyframe();
            return;
        }
        if (unit.keyframe()) {
            flushSkipped(out);
            if (guarding && !replayed && guardUntilPts == Long.MAX_VALUE) {
                guardUntilPts = unit.ptsMicros(); // the first GOP that begins after the replay
            }
        }
        if (decoder != null && decoder.codec() != unit.codec()) {
            String change = decoder.codec().wireName() + " -> " + unit.codec().wireName();
            if (state == State.DECODING) {
                drainDecoder(out);
            }
            closeDecoder();
            out.add(new DecodeEvent.BadInput(DecodeError.CODEC_CHANGE, change, "the decoder restarts at the next keyframe"));
            state = State.AWAITING_KEYFRAME;
        }
        if (state != State.DECODING) {
            if (!unit.keyframe()) {
                if (state != State.DRAINED) {
                    state = State.AWAITING_KEYFRAME;
                }
                out.add(notAKeyframe(unit));
                return;
            }
            if (!openAtKeyframe(unit, out)) {
                return;
            }
        }
        if (ParameterSetScan.hasRandomAccessSlice(unit.codec(), unit.data())) {
            gopsFed++; // by the slice, not the producer's flag: a P-frame that lies it is a keyframe begins no GOP
        }
        track(unit.ptsMicros(), ingestMillis);
        if (replayed) {
            replayedHeld.add(unit.ptsMicros());
        }
        held++;
        long t0 = System.nanoTime();
        try {
            decoder.decode(unit, frame -> emit(frame, ingestMillis, t0, out));
            reorderDepth = Math.max(reorderDepth, decoder.reorderDepth());
        } catch (DecodeException e) {
            damaged(e, out);
        } catch (RuntimeException e) {
            decoderFailed(e, out);
        }
    }

    /** A unit that arrived while the stream waits for a keyframe. */
    static DecodeEvent.BadInput notAKeyframe(AccessUnit unit) {
        return new DecodeEvent.BadInput(DecodeError.NO_KEYFRAME, "access unit at pts " + unit.ptsMicros() + " is not a keyframe",
                "access units are skipped until the next keyframe");
    }

    /**
     * Opens (or resets) the decoder at a keyframe; false when it cannot be opened (reported). A stream
     * that skipped GOPs (overload) and goes on at an IDR keeps its decoder as it is: an IDR needs nothing
     * decoded before it, and not flushing spares the set-up a flush costs (see {@link #skip}). At any
     * other keyframe (an HEVC CRA, an H.264 recovery point) the pictures after it may refer to ones
     * before it, so the decoder is reset first, for FFmpeg to skip those it cannot decode.
     */
    private boolean openAtKeyframe(AccessUnit unit, List<DecodeEvent> out) {
        try {
            if (decoder == null) {
                decoder = opener.apply(unit.codec());
                decoderProducedFrame = false;
            } else if (state == State.SKIPPING && keptUnflushed && ParameterSetScan.startsClosedGop(unit.codec(), unit.data())) {
                resumedWithoutReset++;
            } else {
                decoder.reset();
            }
            keptUnflushed = false;
        } catch (CudaException e) {
            out.add(new DecodeEvent.Failure(e));
            return false;
        } catch (RuntimeException e) {
            out.add(new DecodeEvent.BadInput(DecodeError.DECODER_FAILURE, "cannot open a " + unit.codec().wireName() + " decoder: " + e.getMessage(),
                    "the stream waits for its next keyframe"));
            closeDecoder();
            state = State.AWAITING_KEYFRAME;
            return false;
        }
        held = 0;
        ingestByPts.clear();
        gopByPts.clear();
        replayedHeld.clear();
        state = State.DECODING;
        return true;
    }

    private void emit(DecodedFrame frame, long fallbackIngest, long t0, List<DecodeEvent> out) {
        if (!givenUpPts.isEmpty()) {
            if (givenUpPts.take(frame.ptsMicros()) != null) {
                // a picture of a unit given up (bad input, or skipped with the decoder kept): it already had its
                // event, and it is not one of the units fed since, so what a drain would hand out stays as it is
                frame.release();
                return;
            }
            givenUpPts.clear(); // the stream's frames are its own again
        }
        held = Math.max(0, held - 1);
        Long gop = gopByPts.peek(frame.ptsMicros());
        if (gop != null) {
            lostBefore(gop, "before the keyframe of the GOP whose picture at pts " + frame.ptsMicros() + " came out", out);
        }
        decoderProducedFrame = true;
        int w = frame.image().width(), h = frame.image().height();
        DecodeEvent.BadInput unfit = bounds.refusal(w, h, "a decoded picture of " + w + "x" + h,
                "its frames are dropped until a keyframe of a supported size");
        if (unfit != null) {
            frame.release();
            out.add(unfit);
            awaitKeyframe();
            return;
        }
        if (width != 0 && (w != width || h != height)) {
            out.add(new DecodeEvent.BadInput(DecodeError.RESOLUTION_CHANGE, width + "x" + height + " -> " + w + "x" + h,
                    "frames continue at the new size"));
        }
        width = w;
        height = h;
        long pts = frame.ptsMicros();
        if (lastOutPts != Long.MIN_VALUE && pts > lastOutPts) {
            ptsStep = Math.min(ptsStep, pts - lastOutPts);
        }
        lastOutPts = pts;
        keptHeldLogged = false;
        Origin origin = Origin.LIVE;
        if (replaying || replayedHeld.remove(pts)) {
            origin = Origin.REPLAYED;
        } else if (guarding) {
            if (pts >= guardUntilPts) {
                guarding = false;
            } else {
                origin = Origin.GUARDED;
            }
        }
        Long ingest = ingestByPts.take(pts);
        gopByPts.take(pts);
        out.add(new DecodeEvent.Frame(frame, ingest != null ? ingest : fallbackIngest, System.nanoTime() - t0, origin, decoder.engine()));
    }

    /**
     * A decoder call failed other than on the unit's data: a CUDA error poisons the slot's context and
     * fails the task; anything else (a decoder that throws) is this stream's problem. Either way the
     * decoder goes and the stream waits for its next keyframe.
     */
    private void decoderFailed(RuntimeException e, List<DecodeEvent> out) {
        if (e instanceof CudaException cuda) {
            out.add(new DecodeEvent.Failure(cuda));
        } else {
            out.add(new DecodeEvent.BadInput(DecodeError.DECODER_FAILURE, String.valueOf(e.getMessage()),
                    "its decoder is closed and the stream resumes at its next keyframe"));
        }
        closeDecoder();
        awaitKeyframe();
    }

    private void drainDecoder(List<DecodeEvent> out) {
        long t0 = System.nanoTime();
        try {
            decoder.drain(frame -> emit(frame, System.currentTimeMillis(), t0, out));
            // a drain hands out every picture the decoder holds: a unit still without one has none
            lostBefore(Long.MAX_VALUE, "when the decoder was drained", out);
            state = State.DRAINED;
            held = 0;
        } catch (DecodeException e) {
            damaged(e, out);
        } catch (RuntimeException e) {
            decoderFailed(e, out);
        }
    }

    /**
     * Counts the units still held from GOPs before {@code gop} as {@link DecodeError#NO_PICTURE}: the
     * decoder took them without an error and will never hand out their pictures (found by the fuzzer:
     * an H.264 P-frame that claimed to be a keyframe reset the decoder, which then decoded it and the
     * rest of its GOP without a word and without a picture, FFmpeg waiting for a point it can start
     * at). Decoding goes on.
     */
    private void lostBefore(long gop, String when, List<DecodeEvent> out) {
        List<Long> lost = gopByPts.removeBelow(gop);
        if (lost.isEmpty()) {
            return;
        }
        for (long pts : lost) {
            ingestByPts.take(pts);
            replayedHeld.remove(pts);
        }
        held = Math.max(0, held - lost.size());
        lost.sort(null);
        out.add(new DecodeEvent.BadInput(DecodeError.NO_PICTURE, lost.size() + " access unit(s) gave no picture " + when + " (pts "
                + lost.get(0) + (lost.size() > 1 ? " to " + lost.get(lost.size() - 1) : "") + ")",
                "the decoder took them without an error; decoding goes on"));
    }

    /**
     * FFmpeg reported damage: the stream waits for its next keyframe, with its decoder kept for it
     * unless the decoder never produced a frame (then what opened it was most likely not video).
     */
    private void damaged(DecodeException e, List<DecodeEvent> out) {
        boolean keep = decoderProducedFrame;
        out.add(new DecodeEvent.BadInput(e.error(), e.getMessage(), keep ? "the stream waits for its next keyframe"
                : "its decoder, which never produced a frame, is closed and the stream waits for its next keyframe"));
        if (!keep) {
            closeDecoder();
        }
        awaitKeyframe();
    }

    private void awaitKeyframe() {
        keptUnflushed = false;
        if (state != State.CLOSED) {
            state = State.AWAITING_KEYFRAME;
        }
        if (givenUpPts.size() < MAX_TRACKED_PTS) {
            givenUpPts.addAll(ingestByPts);
        }
        held = 0;
        ingestByPts.clear();
        gopByPts.clear();
        replayedHeld.clear();
    }

    private void flushSkipped(List<DecodeEvent> out) {
        if (!skipped.isEmpty()) {
            skipped.sort((a, b) -> Long.compare(a.pts(), b.pts()));
            out.addAll(skipped);
            skipped.clear();
        }
    }

    private void track(long pts, long ingestMillis) {
        if (ingestByPts.size() >= MAX_TRACKED_PTS) {
            ingestByPts.clear(); // a decoder never holds this many: pts were not unique
            gopByPts.clear();
            replayedHeld.clear();
        }
        ingestByPts.add(pts, ingestMillis);
        gopByPts.add(pts, gopsFed);
    }

    /** Closes the decoder; one that fails to close is gone all the same (only a CUDA error goes further). */
    private void closeDecoder() {
        keptUnflushed = false;
        if (decoder != null) {
            VideoDecoder d = decoder;
            decoder = null;
            try {
                d.close();
            } catch (CudaException e) {
                throw e;
            } catch (RuntimeException e) {
                LOG.warn("stream '{}': closing its decoder failed: {}", streamId, e.toString());
            }
        }
    }

    /**
     * Pts with a value each, a pts sent twice kept twice: a producer may repeat pts (the fuzzer's lying
     * pts), and a set would lose the second unit when the first one's frame comes out.
     */
    private static final class PtsBag {
        private final Map<Long, ArrayDeque<Long>> byPts = new HashMap<>();
        private int size;

        void add(long pts, long value) {
            byPts.computeIfAbsent(pts, k -> new ArrayDeque<>(1)).add(value);
            size++;
        }

        /** Adds every entry of {@code other}. */
        void addAll(PtsBag other) {
            other.byPts.forEach((pts, values) -> values.forEach(v -> add(pts, v)));
        }

        /** Removes one entry of {@code pts} and returns its value, or null when there is none. */
        Long take(long pts) {
            ArrayDeque<Long> values = byPts.get(pts);
            if (values == null) {
                return null;
            }
            Long v = values.poll();
            if (values.isEmpty()) {
                byPts.remove(pts);
            }
            size--;
            return v;
        }

        /** The value of the entry of {@code pts} that {@link #take} would remove, or null when there is none. */
        Long peek(long pts) {
            ArrayDeque<Long> values = byPts.get(pts);
            return values == null ? null : values.peek();
        }

        /** Removes every entry whose value is below {@code value}; returns their pts (one per entry). */
        List<Long> removeBelow(long value) {
            List<Long> removed = null; // called for every frame out and nearly always empty: no list until one is removed
            for (var it = byPts.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Long, ArrayDeque<Long>> e = it.next();
                for (var v = e.getValue().iterator(); v.hasNext(); ) {
                    if (v.next() < value) {
                        v.remove();
                        if (removed == null) {
                            removed = new ArrayList<>();
                        }
                        removed.add(e.getKey());
                        size--;
                    }
                }
                if (e.getValue().isEmpty()) {
                    it.remove();
                }
            }
            return removed == null ? List.of() : removed;
        }

        /** Every entry's pts, repeats included, ascending. */
        List<Long> sortedPts() {
            List<Long> out = new ArrayList<>(size);
            byPts.forEach((pts, values) -> values.forEach(v -> out.add(pts)));
            out.sort(null);
            return out;
        }

        int size() {
            return size;
        }

        /** The largest value, or Long.MIN_VALUE when empty. */
        long maxValue() {
            long max = Long.MIN_VALUE;
            for (ArrayDeque<Long> values : byPts.values()) {
                for (long v : values) {
                    max = Math.max(max, v);
                }
            }
            return max;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void clear() {
            byPts.clear();
            size = 0;
        }
    }
}
