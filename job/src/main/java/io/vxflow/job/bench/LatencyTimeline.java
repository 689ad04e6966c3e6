package io.vxflow.job.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Every result's latency, filed by the wall-clock second the job emitted it in: the steady-state
 * window, the warm-up before it and the per-second curve of a run are all cut from here. Also counts,
 * per second, the results dropped under overload and the inference batches the results ran in.
 * Owns its buckets; one thread.
 */
final class LatencyTimeline {
    private final TreeMap<Long, Bucket> seconds = new TreeMap<>();

    /** One result: when the job emitted it, its latency (Kafka ingest to result), its batch size (0: unknown). */
    void add(long emitMillis, long latencyMillis, int batch, boolean dropped) {
        seconds.computeIfAbsent(Math.floorDiv(emitMillis, 1000), s -> new Bucket()).add(latencyMillis, batch, dropped);
    }

    /** What was emitted in [{@code fromMillis}, {@code toMillis}), both on whole seconds. */
    Window window(long fromMillis, long toMillis) {
        requireWholeSeconds(fromMillis, toMillis);
        int n = 0;
        for (Bucket b : seconds.subMap(fromMillis / 1000, toMillis / 1000).values()) {
            n += b.count;
        }
        long[] all = new long[n];
        int at = 0;
        long dropped = 0;
        double batches = 0;
        long batched = 0;
        for (Bucket b : seconds.subMap(fromMillis / 1000, toMillis / 1000).values()) {
            System.arraycopy(b.latencies, 0, all, at, b.count);
            at += b.count;
            dropped += b.dropped;
            batches += b.batches;
            batched += b.batched;
        }
        return new Window(LatencyStats.of(all, n), (toMillis - fromMillis) / 1000.0, dropped, batches > 0 ? batched / batches : Double.NaN);
    }

    /** Each second in [{@code fromMillis}, {@code toMillis}), seconds without results included. */
    List<Second> perSecond(long fromMillis, long toMillis) {
        List<Second> out = new ArrayList<>();
        for (long s = Math.floorDiv(fromMillis, 1000); s * 1000 < toMillis; s++) {
            Bucket b = seconds.get(s);
            LatencyStats l = b == null ? LatencyStats.EMPTY : LatencyStats.of(b.latencies, b.count);
            out.add(new Second(s * 1000, (int) l.count(), l.p50(), l.p99()));
        }
        return out;
    }

    /**
     * Seconds from {@code originMillis} (the first frame) until the end of the last second, before
     * {@code untilMillis}, that had no results or a p99 above {@code targetP99Millis}: from then on
     * every second met the target. Null if the last second missed it.
     */
    Double catchUpSeconds(long originMillis, long untilMillis, long targetP99Millis) {
        List<Second> all = perSecond(originMillis, untilMillis);
        long lastMiss = Long.MIN_VALUE;
        for (Second s : all) {
            if (s.results() == 0 || s.p99() > targetP99Millis) {
                lastMiss = s.startMillis();
            }
        }
        if (lastMiss == Long.MIN_VALUE) {
            return 0.0;
        }
        if (all.isEmpty() || lastMiss == all.get(all.size() - 1).startMillis()) {
            return null;
        }
        return Math.max(0, lastMiss + 1000 - originMillis) / 1000.0;
    }

    /**
     * Seconds from {@code originMillis} (the first frame) to the start of the first {@code holdSeconds}
     * consecutive seconds, before {@code untilMillis}, that each had results and a p99 within {@code
     * targetP99Millis}: how long a cold start took to settle, unlike {@link #catchUpSeconds} not moved
     * by a spike long after. Null if no such run of seconds came.
     */
    Double settledSeconds(long originMillis, long untilMillis, long targetP99Millis, int holdSeconds) {
        if (holdSeconds < 1) {
            throw new IllegalArgumentException("a cold start settles over at least one second, not " + holdSeconds);
        }
        List<Second> all = perSecond(originMillis, untilMillis);
        int run = 0;
        for (int i = 0; i < all.size(); i++) {
            Second s = all.get(i);
            run = s.results() > 0 && s.p99() <= targetP99Millis ? run + 1 : 0;
            if (run == holdSeconds) {
                long start = all.get(i - holdSeconds + 1).startMillis();
                return Math.max(0, start - originMillis) / 1000.0;
            }
        }
        return null;
    }

    private static void requireWholeSeconds(long fromMillis, long toMillis) {
        if (fromMillis % 1000 != 0 || toMillis % 1000 != 0 || toMillis <= fromMillis) {
            throw new IllegalArgumentException("a window is whole seconds, got [" + fromMillis + ", " + toMillis + ")");
        }
    }

    /**
     * Results emitted in a window.
     *
     * @param meanBatch frames per inference batch (results over batches, each result counting 1/its
     *     batch size); NaN if the results carry no batch size
     */
    record Window(LatencyStats latency, double seconds, long dropped, double meanBatch) {
        long results() {
            return latency.count();
        }

        double resultsPerSecond() {
            return latency.count() / seconds;
        }
    }

    /** One second of results: when it started, how many, their median and p99 latency. */
    record Second(long startMillis, int results, long p50, long p99) {}

    private static final class Bucket {
        long[] latencies = new long[64];
        int count;
        long dropped;
        double batches;
        long batched;

        void add(long latency, int batch, boolean drop) {
            if (count == latencies.length) {
                latencies = Arrays.copyOf(latencies, count * 2);
            }
            latencies[count++] = latency;
            if (drop) {
                dropped++;
            }
            if (batch > 0) {
                batches += 1.0 / batch;
                batched++;
            }
        }
    }
}
