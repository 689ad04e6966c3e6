package io.vxflow.operators.route;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRange;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * One router's view of which key group each stream was given and what it weighs (pixels x frames/s),
 * summed per key group and per decode subtask, and its choice of key group for a new stream.
 * Flink-free; the router's task thread owns it; gauges read only the {@code volatile} spread.
 *
 * <p><b>Choosing.</b> A new stream weighs its picture size times the frame rate last measured for a
 * stream of that size (30 at first) until its own is measured. It goes to the decode subtask carrying the least load; among equally
 * loaded ones, the first at or after this router's own index (so that parallel routers, each with
 * equal streams, do not all pick subtask 0). Within the subtask's key-group range it goes down by
 * halves, into the lighter half each time (on a tie, the side this router's index picks), to one key
 * group: every half and quarter of the range
 * carries about the same load, so a rescale that splits the range (or merges ranges) splits the load
 * too, and no stream has to move.
 */
final class RoutingTable {
    /** A stream's assignment. {@code local}: this router has seen its records since it started. */
    static final class Entry {
        final String streamId;
        final int keyGroup;
        final long pixels;
        final StreamRate rate;
        final StreamKey key;
        long lastSeenMillis;
        boolean local;
        double weight;

        Entry(String streamId, int keyGroup, long pixels, double fps, long lastSeenMillis, int maxParallelism) {
            this.streamId = streamId;
            this.keyGroup = keyGroup;
            this.pixels = pixels;
            this.rate = new StreamRate(fps);
            this.key = StreamKey.of(streamId, keyGroup, maxParallelism);
            this.lastSeenMillis = lastSeenMillis;
            this.weight = pixels * rate.fps();
        }
    }

    private final int maxParallelism;
    private final int parallelism;
    private final int routerIndex;
    private final Map<String, Entry> entries = new HashMap<>();
    /**
     * The frame rate last measured for a stream of each picture size: a new stream's guess until its
     * own is measured (cameras of one size tend to share their settings), better than a flat 30.
     */
    private final Map<Long, Double> fpsOfSize = new HashMap<>();
    private final double[] keyGroupLoad;
    private final int[] keyGroupStreams;
    private final double[] subtaskLoad;
    private volatile double spread = 1;

    RoutingTable(int maxParallelism, int parallelism, int routerIndex) {
        if (parallelism < 1 || parallelism > maxParallelism) {
            throw new IllegalArgumentException("parallelism " + parallelism + " must be between 1 and the max parallelism " + maxParallelism);
        }
        this.maxParallelism = maxParallelism;
        this.parallelism = parallelism;
        this.routerIndex = routerIndex;
        this.keyGroupLoad = new double[maxParallelism];
        this.keyGroupStreams = new int[maxParallelism];
        this.subtaskLoad = new double[parallelism];
    }

    Entry get(String streamId) {
        return entries.get(streamId);
    }

    int size() {
        return entries.size();
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    /**
     * Takes an entry from a checkpoint. Of two entries of one stream (only routers that both saw its
     * records write two different ones) the one seen last wins, the lower key group on a tie.
     */
    void restore(String streamId, int keyGroup, long pixels, double fps, long lastSeenMillis) {
        if (keyGroup < 0 || keyGroup >= maxParallelism) {
            throw new IllegalStateException("stream " + streamId + " was routed to key group " + keyGroup + " but the max parallelism is "
                    + maxParallelism + ": a job's max parallelism cannot change across a restore");
        }
        Entry old = entries.get(streamId);
        if (old != null) {
            if (old.lastSeenMillis > lastSeenMillis || (old.lastSeenMillis == lastSeenMillis && old.keyGroup <= keyGroup)) {
                return;
            }
            remove(old);
        }
        add(new Entry(streamId, keyGroup, pixels, fps, lastSeenMillis, maxParallelism));
    }

    /** Gives a new stream of {@code pixels} per picture a key group (see the class comment) and returns its entry. */
    Entry assign(String streamId, long pixels, long nowMillis) {
        int subtask = lightestSubtask();
        KeyGroupRange range = KeyGroupRangeAssignment.computeKeyGroupRangeForOperatorIndex(maxParallelism, parallelism, subtask);
        int lo = range.getStartKeyGroup();
        int hi = range.getEndKeyGroup();
        for (int depth = 0; lo < hi; depth++) {
            int mid = (lo + hi) >>> 1;
            double lower = sum(keyGroupLoad, lo, mid);
            double upper = sum(keyGroupLoad, mid + 1, hi);
            int fewer = Integer.compare(streams(lo, mid), streams(mid + 1, hi));
            // on a tie, routers take different sides (by the bits of their index), so that their remainders do not pile up in one half
            boolean goLower = lower < upper || (lower == upper && (fewer < 0 || (fewer == 0 && ((routerIndex >> depth) & 1) == 0)));
            if (goLower) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        Entry e = new Entry(streamId, lo, pixels, fpsOfSize.getOrDefault(pixels, StreamRate.DEFAULT_FPS), nowMillis, maxParallelism);
        e.local = true;
        add(e);
        return e;
    }

    /** A record of the stream at {@code ptsMicros}: refreshes its silence and its frame rate. */
    void observe(Entry e, long ptsMicros, long nowMillis) {
        e.lastSeenMillis = nowMillis;
        e.local = true;
        if (e.rate.record(ptsMicros)) {
            fpsOfSize.put(e.pixels, e.rate.fps());
        }
        double w = e.pixels * e.rate.fps();
        if (w != e.weight) {
            load(e, -e.weight);
            e.weight = w;
            load(e, w);
            updateSpread();
        }
    }

    /** Drops the entries silent for {@code expiryMillis} or more (0: none); returns how many went. */
    int expire(long nowMillis, long expiryMillis) {
        if (expiryMillis <= 0) {
            return 0;
        }
        int gone = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext();) {
            Entry e = it.next();
            if (nowMillis - e.lastSeenMillis >= expiryMillis) {
                it.remove();
                load(e, -e.weight);
                keyGroupStreams[e.keyGroup]--;
                gone++;
            }
        }
        if (gone > 0) {
            updateSpread();
        }
        return gone;
    }

    /**
     * What this router writes into the union state: the streams it has seen records of, and of those
     * it has not, the ones whose id hashes to it (so that each entry is written by at least one
     * router, and by few). The reader of a stream writes its fresh silence; a restore keeps the latest.
     */
    List<Entry> toWrite() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.local || Math.floorMod(e.streamId.hashCode(), parallelism) == routerIndex) {
                out.add(e);
            }
        }
        return out;
    }

    /** The decode subtask a key group belongs to at this parallelism. */
    int subtaskOf(int keyGroup) {
        return KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(maxParallelism, parallelism, keyGroup);
    }

    /** Load (pixels per second) of each decode subtask as this table sees it. */
    double[] subtaskLoads() {
        return subtaskLoad.clone();
    }

    /** The fullest decode subtask's load over the mean; 1 when there is no load. */
    double spread() {
        return spread;
    }

    private int lightestSubtask() {
        int best = routerIndex % parallelism;
        for (int i = 1; i < parallelism; i++) {
            int s = (routerIndex + i) % parallelism;
            if (subtaskLoad[s] < subtaskLoad[best]) {
                best = s;
            }
        }
        return best;
    }

    private void add(Entry e) {
        entries.put(e.streamId, e);
        keyGroupStreams[e.keyGroup]++;
        load(e, e.weight);
        updateSpread();
    }

    private void remove(Entry e) {
        entries.remove(e.streamId);
        keyGroupStreams[e.keyGroup]--;
        load(e, -e.weight);
    }

    private void load(Entry e, double w) {
        keyGroupLoad[e.keyGroup] += w;
        subtaskLoad[subtaskOf(e.keyGroup)] += w;
    }

    private void updateSpread() {
        double max = 0;
        double sum = 0;
        for (double l : subtaskLoad) {
            max = Math.max(max, l);
            sum += l;
        }
        spread = sum <= 0 ? 1 : max / (sum / parallelism);
    }

    private static double sum(double[] a, int from, int to) {
        double s = 0;
        for (int i = from; i <= to; i++) {
            s += a[i];
        }
        return s;
    }

    private int streams(int from, int to) {
        int n = 0;
        for (int i = from; i <= to; i++) {
            n += keyGroupStreams[i];
        }
        return n;
    }
}
