package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The search against fake runs whose capacity is known. */
class FindMaxTest {
    private final List<Integer> ran = new ArrayList<>();

    private FindMax.Probe capacity(int max) {
        return n -> {
            ran.add(n);
            return new FindMax.Outcome(n, n <= max, n <= max ? "keeps pace" : "behind");
        };
    }

    @Test
    void doublesThenBisectsToWithinAThirtySecond() throws Exception {
        FindMax.Result r = FindMax.search(8, 1000, capacity(140));
        assertThat(r.maxStreams()).isEqualTo(140);
        assertThat(ran).containsExactly(8, 16, 32, 64, 128, 256, 192, 160, 144, 136, 140);
        assertThat(r.probes()).extracting(FindMax.Outcome::streams).containsExactlyElementsOf(ran);
    }

    @Test
    void stopsWithinTheResolutionNotAtTheExactCount() throws Exception {
        // 128 ok, 256 not: 192, 160, 144 not, 136 ok, 140 not: 136 and 140 are within 136/32
        FindMax.Result r = FindMax.search(8, 1000, capacity(139));
        assertThat(r.maxStreams()).isEqualTo(136);
        assertThat(ran).doesNotHaveDuplicates();
    }

    @Test
    void smallCountsAreExact() throws Exception {
        assertThat(FindMax.search(8, 1000, capacity(3)).maxStreams()).isEqualTo(3);
        assertThat(ran).containsExactly(8, 4, 2, 3);
    }

    @Test
    void startsLowerWhenTheStartIsTooMany() throws Exception {
        assertThat(FindMax.search(64, 1000, capacity(20)).maxStreams()).isEqualTo(20);
        assertThat(ran).startsWith(64, 32, 16);
    }

    @Test
    void zeroWhenNotEvenOneStreamKeepsPace() throws Exception {
        assertThat(FindMax.search(4, 100, capacity(0)).maxStreams()).isZero();
        assertThat(ran).containsExactly(4, 2, 1);
    }

    @Test
    void neverBeyondTheMaximum() throws Exception {
        assertThat(FindMax.search(8, 100, capacity(10_000)).maxStreams()).isEqualTo(100);
        assertThat(ran).containsExactly(8, 16, 32, 64, 100);
        ran.clear();
        assertThat(FindMax.search(1, 1, capacity(5)).maxStreams()).isEqualTo(1);
        assertThat(ran).containsExactly(1);
    }

    @Test
    void aFailingProbeEndsTheSearch() {
        assertThatThrownBy(() -> FindMax.search(8, 100, n -> {
            throw new IllegalStateException("the job failed");
        })).hasMessage("the job failed");
        assertThatThrownBy(() -> FindMax.search(0, 100, capacity(1))).hasMessageContaining("1 <= start <= max");
    }

    @Test
    void keepingPaceNeedsThroughputAndTheLatencyTarget() {
        assertThat(FindMax.keepsPace(2940, 3000, 100, 100)).isTrue();
        assertThat(FindMax.keepsPace(2930, 3000, 80, 100)).as("under 98% of the input").isFalse();
        assertThat(FindMax.keepsPace(3000, 3000, 101, 100)).as("p99 over the target").isFalse();
        assertThat(FindMax.keepsPace(0, 0, 0, 100)).as("no input measured").isFalse();
        assertThat(FindMax.keepsPace(3000, Double.NaN, 0, 100)).isFalse();
    }
}
