package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Results filed by the second they were emitted: windows, per-second curves, catch-up, batches and drops. */
class LatencyTimelineTest {
    private static final long T0 = 1_800_000_000_000L; // a whole second

    @Test
    void aWindowHoldsExactlyTheResultsEmittedInIt() {
        LatencyTimeline t = new LatencyTimeline();
        t.add(T0 - 1, 5_000, 1, false); // warm-up: just before the window
        for (int s = 0; s < 10; s++) {
            for (int i = 0; i < 30; i++) {
                t.add(T0 + s * 1000 + i * 33, 40 + i, 8, false);
            }
        }
        t.add(T0 + 10_000, 9_000, 1, false); // just after
        LatencyTimeline.Window w = t.window(T0, T0 + 10_000);
        assertThat(w.results()).isEqualTo(300);
        assertThat(w.resultsPerSecond()).isEqualTo(30.0);
        assertThat(w.latency().max()).isEqualTo(69);
        assertThat(w.latency().p50()).isEqualTo(54);
        assertThat(w.meanBatch()).isEqualTo(8.0);
        assertThat(t.window(T0 - 1000, T0).latency().max()).isEqualTo(5_000);
    }

    @Test
    void meanBatchIsFramesPerBatchNotTheMeanOfEachFramesBatch() {
        LatencyTimeline t = new LatencyTimeline();
        for (int i = 0; i < 8; i++) {
            t.add(T0, 10, 8, false); // one batch of 8
        }
        for (int i = 0; i < 2; i++) {
            t.add(T0, 10, 1, false); // two batches of 1
        }
        // 10 frames in 3 batches; the per-frame mean would say 6.6
        assertThat(t.window(T0, T0 + 1000).meanBatch()).isCloseTo(10 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        t.add(T0 + 1000, 10, 0, true); // no batch: a dropped frame
        LatencyTimeline.Window w = t.window(T0, T0 + 2000);
        assertThat(w.dropped()).isEqualTo(1);
        assertThat(w.results()).isEqualTo(11);
        assertThat(new LatencyTimeline().window(T0, T0 + 1000).meanBatch()).isNaN();
    }

    @Test
    void perSecondIncludesSecondsWithoutResults() {
        LatencyTimeline t = new LatencyTimeline();
        t.add(T0 + 100, 10, 1, false);
        t.add(T0 + 2100, 30, 1, false);
        t.add(T0 + 2200, 50, 1, false);
        List<LatencyTimeline.Second> s = t.perSecond(T0 + 500, T0 + 3000);
        assertThat(s).containsExactly(new LatencyTimeline.Second(T0, 1, 10, 10), new LatencyTimeline.Second(T0 + 1000, 0, 0, 0),
                new LatencyTimeline.Second(T0 + 2000, 2, 30, 50));
    }

    @Test
    void catchUpEndsWithTheLastSecondThatMissedTheTarget() {
        LatencyTimeline t = new LatencyTimeline();
        // nothing in seconds 0-1 (start-up), a backlog in 2-4, then on target from second 5
        for (int s = 2; s < 20; s++) {
            long latency = s < 5 ? 3000 - s * 500 : 50;
            for (int i = 0; i < 10; i++) {
                t.add(T0 + s * 1000 + i * 100, latency, 4, false);
            }
        }
        long firstFrame = T0 + 300;
        assertThat(t.catchUpSeconds(firstFrame, T0 + 20_000, 100)).isEqualTo(4.7); // end of second 4, from 0.3
        assertThat(t.catchUpSeconds(firstFrame, T0 + 20_000, 5_000)).as("only the empty seconds miss").isEqualTo(1.7);
        t.add(T0 + 19_500, 500, 4, false); // the last second misses: never caught up
        assertThat(t.catchUpSeconds(firstFrame, T0 + 20_000, 100)).isNull();
        LatencyTimeline fast = new LatencyTimeline();
        fast.add(T0 + 500, 20, 1, false);
        assertThat(fast.catchUpSeconds(T0 + 400, T0 + 1000, 100)).isZero();
    }

    @Test
    void aColdStartSettlesAtTheFirstRunOfSecondsOnTargetAndALaterSpikeDoesNotMoveIt() {
        LatencyTimeline t = new LatencyTimeline();
        // a backlog in seconds 1-6, a lone good second at 3, on target from 7, one spike at 15
        for (int s = 1; s < 30; s++) {
            long latency = s == 15 ? 400 : s < 7 && s != 3 ? 2000 : 50;
            for (int i = 0; i < 10; i++) {
                t.add(T0 + s * 1000 + i * 100, latency, 4, false);
            }
        }
        long firstFrame = T0 + 300;
        assertThat(t.settledSeconds(firstFrame, T0 + 30_000, 100, 5)).isEqualTo(6.7); // second 7 starts 6.7 s after the first frame
        assertThat(t.settledSeconds(firstFrame, T0 + 30_000, 100, 9)).as("seconds 7-14 are only 8").isEqualTo(15.7);
        assertThat(t.settledSeconds(firstFrame, T0 + 20_000, 100, 20)).isNull();
        assertThat(t.catchUpSeconds(firstFrame, T0 + 30_000, 100)).as("the spike moves catch-up, not settling").isEqualTo(15.7);
    }

    @Test
    void windowsAreWholeSeconds() {
        assertThatThrownBy(() -> new LatencyTimeline().window(T0 + 1, T0 + 1000)).hasMessageContaining("whole seconds");
        assertThatThrownBy(() -> new LatencyTimeline().window(T0, T0)).hasMessageContaining("whole seconds");
    }
}
