package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Nearest-rank percentiles: the p-th percentile is a value of the sample, never an interpolation. */
class LatencyStatsTest {

    @Test
    void percentilesOfOneToAHundred() {
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = 100 - i; // unsorted on purpose
        }
        LatencyStats s = LatencyStats.of(v, 100);
        assertThat(s.count()).isEqualTo(100);
        assertThat(s.p50()).isEqualTo(50);
        assertThat(s.p95()).isEqualTo(95);
        assertThat(s.p99()).isEqualTo(99);
        assertThat(s.max()).isEqualTo(100);
        assertThat(s.mean()).isEqualTo(50.5);
        assertThat(v[0]).as("the input is not sorted in place").isEqualTo(100);
    }

    @Test
    void smallSamplesTakeTheValueAtTheRank() {
        // 10 values: p50 is the 5th, p95 and p99 are the 10th (ceil(9.5), ceil(9.9))
        long[] v = {10, 20, 30, 40, 50, 60, 70, 80, 90, 1000};
        LatencyStats s = LatencyStats.of(v, v.length);
        assertThat(s.p50()).isEqualTo(50);
        assertThat(s.p95()).isEqualTo(1000);
        assertThat(s.p99()).isEqualTo(1000);
        assertThat(LatencyStats.of(new long[] {7}, 1)).isEqualTo(new LatencyStats(1, 7, 7, 7, 7, 7));
    }

    @Test
    void onlyTheFirstNValuesCount() {
        assertThat(LatencyStats.of(new long[] {5, 6, 1_000_000, 0}, 2).max()).isEqualTo(6);
        assertThat(LatencyStats.of(new long[8], 0)).isEqualTo(LatencyStats.EMPTY);
    }

    @Test
    void aPercentileIsAFractionOfOne() {
        assertThatThrownBy(() -> LatencyStats.percentile(new long[] {1}, 99)).hasMessageContaining("(0, 1]");
    }
}
