package io.vxflow.job.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The search behind {@code vxflow bench e2e --find-max}: the largest stream count whose run keeps
 * pace. From the start count it doubles while runs keep pace (or halves until one does), then
 * bisects between the largest count that kept pace and the smallest that did not, until they are
 * within 1/32 of each other (at least 1 apart). No count is run twice. Owns only its record of
 * probes.
 */
final class FindMax {
    /** Results per second must reach this share of the input frame rate. */
    static final double PACE = 0.98;

    /** Runs the benchmark at a stream count. */
    interface Probe {
        Outcome run(int streams) throws Exception;
    }

    /** What one probe run showed. */
    record Outcome(int streams, boolean keepsPace, String summary) {}

    /** The answer (0: not even one stream keeps pace) and every probe, in the order run. */
    record Result(int maxStreams, List<Outcome> probes) {}

    private final Probe probe;
    private final Map<Integer, Outcome> tried = new TreeMap<>();
    private final List<Outcome> order = new ArrayList<>();

    private FindMax(Probe probe) {
        this.probe = probe;
    }

    /** Whether a run keeps pace: results/s at least {@link #PACE} of the input, p99 within the target. */
    static boolean keepsPace(double resultsPerSecond, double inputFps, long p99Millis, long targetP99Millis) {
        return inputFps > 0 && resultsPerSecond >= PACE * inputFps && p99Millis <= targetP99Millis;
    }

    static Result search(int start, int maxStreams, Probe probe) throws Exception {
        if (start < 1 || maxStreams < start) {
            throw new IllegalArgumentException("the search needs 1 <= start <= max, got start " + start + ", max " + maxStreams);
        }
        FindMax f = new FindMax(probe);
        int lo = 0; // the largest count known to keep pace
        int hi = maxStreams + 1; // the smallest count known not to
        if (f.ok(start)) {
            lo = start;
            while (lo < maxStreams) {
                int n = (int) Math.min(2L * lo, maxStreams);
                if (f.ok(n)) {
                    lo = n;
                } else {
                    hi = n;
                    break;
                }
            }
        } else {
            hi = start;
            while (hi > 1 && lo == 0) {
                int n = hi / 2;
                if (f.ok(n)) {
                    lo = n;
                } else {
                    hi = n;
                }
            }
        }
        while (lo > 0 && hi <= maxStreams && hi - lo > Math.max(1, lo / 32)) {
            int mid = lo + (hi - lo) / 2;
            if (f.ok(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new Result(lo, List.copyOf(f.order));
    }

    private boolean ok(int streams) throws Exception {
        Outcome known = tried.get(streams);
        if (known == null) {
            known = probe.run(streams);
            tried.put(streams, known);
            order.add(known);
        }
        return known.keepsPace();
    }
}
