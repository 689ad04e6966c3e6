package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.DecodeError;
import io.vxflow.operators.LogLines;
import io.vxflow.operators.metrics.SlotStreamMetrics;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/** Bad input is counted every time and logged once per stream and reason, and never faster than the log budget. */
class BadInputReporterTest {
    @Test
    void eachStreamAndReasonIsLoggedOnceWithoutAStackTrace() {
        try (LogLines log = LogLines.of(BadInputReporter.class.getName())) {
            BadInputReporter r = new BadInputReporter(new UnregisteredMetricsGroup(), perStream());
            for (int i = 0; i < 5; i++) {
                r.report("cam-1", DecodeError.CORRUPT, "decoding failed", "the stream waits for its next keyframe");
            }
            r.report("cam-1", DecodeError.NO_KEYFRAME, "access unit at pts 0 is not a keyframe", "skipped");
            r.report("cam-2", DecodeError.CORRUPT, "decoding failed", "the stream waits for its next keyframe");
            assertThat(r.count(DecodeError.CORRUPT)).isEqualTo(6);
            assertThat(log.lines()).containsExactly(
                    "WARN stream 'cam-1': corrupt-access-unit: decoding failed; the stream waits for its next keyframe. Further "
                            + "corrupt-access-unit on this stream are counted in metric badInput.corrupt-access-unit and not logged.",
                    "WARN stream 'cam-1': waiting-for-keyframe: access unit at pts 0 is not a keyframe; skipped. Further "
                            + "waiting-for-keyframe on this stream are counted in metric badInput.waiting-for-keyframe and not logged.",
                    "WARN stream 'cam-2': corrupt-access-unit: decoding failed; the stream waits for its next keyframe. Further "
                            + "corrupt-access-unit on this stream are counted in metric badInput.corrupt-access-unit and not logged.");
            assertThat(log.thrown()).isEmpty();
        }
    }

    @Test
    void inventedStreamIdsCannotFloodTheLog() {
        AtomicLong now = new AtomicLong(1_000_000);
        try (LogLines log = LogLines.of(BadInputReporter.class.getName())) {
            BadInputReporter r = new BadInputReporter(new UnregisteredMetricsGroup(), perStream(), now::get);
            for (int i = 0; i < 10_000; i++) {
                r.report("made-up-" + i, DecodeError.BAD_PARAMETER_SETS, "no SPS", "skipped");
                now.addAndGet(1); // 10 s of reports
            }
            assertThat(log.lines()).hasSize(BadInputReporter.LINES_PER_MINUTE);
            now.addAndGet(60_000);
            r.report("late", DecodeError.CORRUPT, "decoding failed", "skipped");
            assertThat(log.lines()).hasSize(BadInputReporter.LINES_PER_MINUTE + 2);
            assertThat(log.lines().get(BadInputReporter.LINES_PER_MINUTE)).isEqualTo("WARN 9900 more streams had bad input in the last "
                    + "minute, not logged (at most 100 lines a minute); metrics badInput.<reason> count every access unit");
            assertThat(log.lines().get(BadInputReporter.LINES_PER_MINUTE + 1)).startsWith("WARN stream 'late': corrupt-access-unit");
            assertThat(r.count(DecodeError.BAD_PARAMETER_SETS)).isEqualTo(10_000);
        }
    }

    @Test
    void aStreamWithMetricsCountsItsOwnBadInputAndAnIdWithoutOpensNone() {
        SlotStreamMetrics slot = new SlotStreamMetrics();
        BadInputReporter r = new BadInputReporter(new UnregisteredMetricsGroup(), new DecodeStreamMetrics(slot, new UnregisteredMetricsGroup()));
        slot.arrived("cam-1");
        r.report("cam-1", DecodeError.CORRUPT, "decoding failed", "skipped");
        r.report("made-up", DecodeError.CORRUPT, "decoding failed", "skipped");
        assertThat(slot.liveStreams()).as("the made-up id got no metrics").isEqualTo(1);
        assertThat(r.count(DecodeError.CORRUPT)).isEqualTo(2);
    }

    private static DecodeStreamMetrics perStream() {
        return new DecodeStreamMetrics(new SlotStreamMetrics(), new UnregisteredMetricsGroup());
    }
}
