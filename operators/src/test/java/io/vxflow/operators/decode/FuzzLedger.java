package io.vxflow.operators.decode;

import io.vxflow.codec.DecodeError;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every access unit of the damaged streams went. A unit is fed in a round of its own (with
 * clean units of other streams beside it), so the bad input counted during that round is its own;
 * a frame is its unit's by pts (the decoder carries each packet's pts to its picture). Once a unit
 * is {@value #WINDOW} units of its stream old, more than any decoder holds back, its {@link Outcome}
 * is final:
 *
 * <ul>
 *   <li>{@link Outcome#DECODED_INTACT}: a frame with its pts and the clean picture's checksum;
 *   <li>{@link Outcome#DECODED_DAMAGED}: a frame with its pts showing another picture (a bit flip can
 *       leave a valid but different picture, and damage propagates to the frames that reference it);
 *   <li>{@link Outcome#COUNTED}: no frame, and bad input was counted for it;
 *   <li>{@link Outcome#LOST_AT_RESTART}: accepted by the decoder, held back for reordering, and
 *       thrown away when a later unit of its GOP was counted bad and the stream restarted at its next
 *       keyframe: accounted for only by that later unit's count;
 *   <li>{@link Outcome#UNACCOUNTED}: none of the above: it disappeared without a frame or a count.
 * </ul>
 */
final class FuzzLedger {
    enum Outcome { DECODED_INTACT, DECODED_DAMAGED, COUNTED, LOST_AT_RESTART, UNACCOUNTED }

    /** Units of a stream after which an unresolved unit's outcome is final. */
    static final int WINDOW = 48;
    private final Map<String, StreamBook> books = new HashMap<>();
    private final Map<AccessUnitMutator.Kind, long[]> byKind = new EnumMap<>(AccessUnitMutator.Kind.class);
    private final Map<DecodeError, Long> countedByReason = new EnumMap<>(DecodeError.class);
    private final List<String> unaccountedSamples = new ArrayList<>();
    private final List<String> extraSamples = new ArrayList<>();
    private final List<String> staleSamples = new ArrayList<>();
    private long staleFrames;
    private long extraFrames;
    /** Units handed to the decoder (a valid record, not skipped while waiting for a keyframe): untouched, damaged. */
    private final long[] reached = new long[2];
    private long countedWithFrame;
    /** Units a no-picture count accounted for, and no-picture counts for which the ledger found none. */
    private long noPictureUnits;
    private long noPictureUnmatched;

    private static final class Entry {
        final long id;
        final FuzzStream.Unit unit;
        final long cleanChecksum;
        final Long pts;
        /** Whether the unit reached the stream as a valid record with an IDR (IRAP) slice: it begins a GOP whatever its key header says. */
        final boolean randomAccess;
        long[] bad;
        boolean framed;
        boolean intact;
        boolean restartAfter;

        Entry(long id, FuzzStream.Unit unit, Long pts, long cleanChecksum, boolean randomAccess) {
            this.id = id;
            this.randomAccess = randomAccess;
            this.pts = pts;
            this.unit = unit;
            this.cleanChecksum = cleanChecksum;
        }

        boolean counted() {
            if (bad == null) {
                return false;
            }
            for (long n : bad) {
                if (n > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    private static final class StreamBook {
        final ArrayDeque<Entry> window = new ArrayDeque<>();
        /** The latest fed of the units whose frames came out in the round in progress, or null. */
        Entry framedThisRound;
        final Map<Long, ArrayDeque<Entry>> byPts = new HashMap<>();
        /** pts of units whose pictures a restart should have thrown away (the most recent ones). */
        final java.util.Set<Long> discarded = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > 4 * WINDOW;
            }
        });
    }

    FuzzLedger() {
        for (AccessUnitMutator.Kind k : AccessUnitMutator.Kind.values()) {
            byKind.put(k, new long[Outcome.values().length]);
        }
    }

    /** A unit of a damaged stream was fed; {@code pts} is what its record carries (null: the record was invalid). */
    void fed(long id, FuzzStream.Unit unit, Long pts, long cleanChecksum) {
        fed(id, unit, pts, cleanChecksum, false);
    }

    /** A unit fed; {@code randomAccess}: its record was valid and holds an IDR (IRAP) slice. */
    void fed(long id, FuzzStream.Unit unit, Long pts, long cleanChecksum, boolean randomAccess) {
        StreamBook b = books.computeIfAbsent(unit.stream(), k -> new StreamBook());
        Entry e = new Entry(id, unit, pts, cleanChecksum, randomAccess);
        b.window.add(e);
        b.framedThisRound = null;
        if (pts != null) {
            b.byPts.computeIfAbsent(pts, k -> new ArrayDeque<>()).add(e);
        }
        while (b.window.size() > WINDOW) {
            resolve(b, b.window.poll());
        }
    }

    /**
     * Bad input counted while the unit's round ran. Every reason is the unit's own, but {@code
     * no-picture}: that one is the decode stage's report, when a picture of a new GOP came out, that
     * units of the GOP before, still without a picture, will never have one (a false keyframe reset the
     * decoder, which then waited silently for a real one). It accounts for units before the GOP whose
     * picture came out (see {@link #noPicture}), not for this one.
     */
    void counted(String stream, long[] bad) {
        StreamBook b = books.get(stream);
        Entry e = b.window.peekLast();
        if (bad[DecodeError.NO_PICTURE.ordinal()] > 0) {
            noPicture(b, e);
            bad = bad.clone();
            bad[DecodeError.NO_PICTURE.ordinal()] = 0;
            if (Arrays.stream(bad).allMatch(n -> n == 0)) {
                return;
            }
        }
        e.bad = bad;
        boolean restart = false;
        for (DecodeError r : DecodeError.values()) {
            // a resolution change goes on decoding and a codec change drains first: neither throws held pictures away
            if (bad[r.ordinal()] > 0 && r != DecodeError.RESOLUTION_CHANGE && r != DecodeError.CODEC_CHANGE) {
                restart = true;
            }
        }
        // a codec change drains the old decoder before this unit reaches the new one: a failure counted
        // in its round may be the drain's, of the units before it (the million-unit run, round 194,698: a
        // clean HEVC keyframe after H.264 units whose drain failed), so this unit keeps its pts and its
        // fate is its frame, if one comes
        boolean ownPtsKept = bad[DecodeError.CODEC_CHANGE.ordinal()] > 0;
        if (restart) {
            // the stream waits for a keyframe, and the decoder's reset then drops what it held: no frame
            // can come for this unit or the earlier ones still without one, so a later frame with one of
            // their pts (a repeated pts) is not theirs
            for (Entry earlier : b.window) {
                if (!earlier.framed) {
                    earlier.restartAfter = earlier != e;
                    if (earlier != e || !ownPtsKept) {
                        forgetPts(b, earlier);
                    }
                }
            }
        }
    }

    /**
     * The units a {@code no-picture} count is for: the decode stage counts, when a picture of a GOP comes
     * out, the units of earlier GOPs it still holds. So: the units without a frame or a count before the
     * GOP (from its unit with an IDR slice on) of the latest unit whose frame came out in this round, back
     * to the last count (where the decode stage last started afresh). Without a frame this round (a
     * drain), the units before this round's.
     */
    private void noPicture(StreamBook b, Entry e) {
        List<Entry> window = new ArrayList<>(b.window);
        int start = window.indexOf(b.framedThisRound != null ? b.framedThisRound : e);
        if (b.framedThisRound != null) {
            int k = start;
            while (k >= 0 && !window.get(k).randomAccess) {
                k--;
            }
            start = k >= 0 ? k : start;
        }
        int marked = 0;
        for (int i = start - 1; i >= 0; i--) {
            Entry x = window.get(i);
            if (x.counted() || x.restartAfter) {
                break;
            }
            if (!x.framed) {
                x.restartAfter = true;
                forgetPts(b, x);
                marked++;
            }
        }
        noPictureUnits += marked;
        if (marked == 0) {
            noPictureUnmatched++;
        }
    }

    private static void forgetPts(StreamBook b, Entry e) {
        if (e.pts != null) {
            b.discarded.add(e.pts);
            ArrayDeque<Entry> q = b.byPts.get(e.pts);
            if (q != null && q.remove(e) && q.isEmpty()) {
                b.byPts.remove(e.pts);
            }
        }
    }

    /** A frame of a damaged stream; false when no unit waits for its pts (an extra picture). */
    boolean frame(String stream, long pts, long checksum) {
        StreamBook b = books.get(stream);
        ArrayDeque<Entry> q = b == null ? null : b.byPts.get(pts);
        Entry e = q == null ? null : q.poll();
        if (e == null) {
            String where = stream + " pts " + pts + " after unit " + (b == null || b.window.isEmpty() ? -1 : b.window.peekLast().id);
            if (b != null && b.discarded.contains(pts)) {
                staleFrames++;
                if (staleSamples.size() < 20) {
                    staleSamples.add(where);
                }
            } else {
                extraFrames++;
                if (extraSamples.size() < 20) {
                    extraSamples.add(where);
                }
            }
            return false;
        }
        if (q.isEmpty()) {
            b.byPts.remove(pts);
        }
        e.framed = true;
        e.intact = checksum == e.cleanChecksum;
        if (b.framedThisRound == null || e.id > b.framedThisRound.id) {
            b.framedThisRound = e;
        }
        return true;
    }

    /** Resolves every unit still open (after the end of input drained the decoders). */
    void finish() {
        for (StreamBook b : books.values()) {
            while (!b.window.isEmpty()) {
                resolve(b, b.window.poll());
            }
        }
    }

    private void resolve(StreamBook b, Entry e) {
        if (!e.framed) {
            forgetPts(b, e);
        }
        Outcome o;
        if (e.framed) {
            o = e.intact ? Outcome.DECODED_INTACT : Outcome.DECODED_DAMAGED;
            if (e.counted()) {
                countedWithFrame++;
            }
        } else if (e.counted()) {
            o = Outcome.COUNTED;
            countedByReason.merge(primary(e.bad), 1L, Long::sum);
        } else if (e.restartAfter) {
            o = Outcome.LOST_AT_RESTART;
        } else {
            o = Outcome.UNACCOUNTED;
            if (unaccountedSamples.size() < 20) {
                unaccountedSamples.add("unit " + e.id + " of " + e.unit.stream() + " (clip " + e.unit.clip() + " #" + e.unit.clipIndex() + "): "
                        + AccessUnitMutator.describe(e.unit.wire()));
            }
        }
        byKind.get(e.unit.wire().kind())[o.ordinal()]++;
        if (e.pts != null && (e.bad == null || e.bad[DecodeError.NO_KEYFRAME.ordinal()] == 0)) {
            reached[e.unit.damaged() ? 1 : 0]++;
        }
    }

    private static DecodeError primary(long[] bad) {
        DecodeError best = null;
        for (DecodeError r : DecodeError.values()) {
            if (bad[r.ordinal()] > 0 && (best == null || bad[r.ordinal()] > bad[best.ordinal()])) {
                best = r;
            }
        }
        return best;
    }

    long count(AccessUnitMutator.Kind kind, Outcome o) {
        return byKind.get(kind)[o.ordinal()];
    }

    /** Over the damaged units ({@code mutated}) or the untouched units of the damaged streams. */
    long count(boolean mutated, Outcome o) {
        long n = 0;
        for (AccessUnitMutator.Kind k : AccessUnitMutator.Kind.values()) {
            if ((k != AccessUnitMutator.Kind.NONE) == mutated) {
                n += count(k, o);
            }
        }
        return n;
    }

    /** Units of the damaged streams that reached the decoder, damaged ones or untouched ones. */
    long reachedDecoder(boolean damaged) {
        return reached[damaged ? 1 : 0];
    }

    Map<DecodeError, Long> countedByReason() {
        return countedByReason;
    }

    long extraFrames() {
        return extraFrames;
    }

    long noPictureUnits() {
        return noPictureUnits;
    }

    long noPictureUnmatched() {
        return noPictureUnmatched;
    }

    long countedWithFrame() {
        return countedWithFrame;
    }

    /** Frames of units whose stream restarted after them: pictures the decoder should have dropped at its reset. */
    long staleFrames() {
        return staleFrames;
    }

    List<String> staleSamples() {
        return staleSamples;
    }

    List<String> extraSamples() {
        return extraSamples;
    }

    List<String> unaccountedSamples() {
        return unaccountedSamples;
    }
}
