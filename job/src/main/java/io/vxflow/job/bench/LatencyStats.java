package io.vxflow.job.bench;

import java.util.Arrays;

/**
 * Count, mean and nearest-rank percentiles of a sample of latencies in milliseconds: the p-th
 * percentile is the smallest value that at least p% of the sample does not exceed, so p99 of 100
 * values is the 99th smallest and the maximum is p100.
 */
public record LatencyStats(long count, long p50, long p95, long p99, long max, double mean) {
    public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0);

    /** The statistics of the first {@code n} values (the array is not changed). */
    public static LatencyStats of(long[] values, int n) {
        if (n == 0) {
            return EMPTY;
        }
        long[] sorted = Arrays.copyOf(values, n);
        Arrays.sort(sorted);
        double sum = 0;
        for (long v : sorted) {
            sum += v;
        }
        return new LatencyStats(n, percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99), sorted[n - 1], sum / n);
    }

    /** Nearest rank: the value at rank ceil(q * n), counting from 1. */
    static long percentile(long[] sorted, double q) {
        if (q <= 0 || q > 1) {
            throw new IllegalArgumentException("a percentile is in (0, 1], got " + q);
        }
        int rank = (int) Math.ceil(q * sorted.length - 1e-9);
        return sorted[Math.max(0, rank - 1)];
    }
}
