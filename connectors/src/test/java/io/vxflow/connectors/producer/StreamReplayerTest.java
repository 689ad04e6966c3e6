package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replayer's settings, its loop timeline, its pacing schedule and its report, without a broker. */
class StreamReplayerTest {

    @Test
    void streamIdsFromPrefixOrOneGivenId() {
        assertThat(StreamReplayer.builder().streams(3).streamIdPrefix("cam").build().streamIds())
                .containsExactly("cam-0", "cam-1", "cam-2");
        assertThat(StreamReplayer.builder().build().streamIds()).containsExactly("stream-0");
        assertThat(StreamReplayer.builder().streamId("lobby").build().streamIds()).containsExactly("lobby");
    }

    @Test
    void builderSaysWhatToFix() {
        assertThatThrownBy(() -> StreamReplayer.builder().streams(0).build()).hasMessageContaining("at least one");
        assertThatThrownBy(() -> StreamReplayer.builder().streams(2).streamId("x").build())
                .hasMessageContaining("single stream id ('x') was given for 2 streams");
        assertThatThrownBy(() -> StreamReplayer.builder().maxFramesPerStream(0).build()).hasMessageContaining("positive");
        assertThatThrownBy(() -> StreamReplayer.builder().maxDuration(Duration.ZERO).build())
                .hasMessageContaining("positive");
        assertThat(StreamReplayer.builder().build().progress().state()).isEqualTo(ReplayProgress.State.NOT_STARTED);
    }

    @Test
    void loopTimelineContinuesOneFrameAfterTheHighestPts() {
        LoopTimeline timeline = new LoopTimeline(33_333);
        AccessUnit first = unit(0);
        assertThat(timeline.place(first)).as("the first loop is untouched").isSameAs(first);
        timeline.place(unit(66_666)); // a reference frame shown after the B-frame below
        timeline.place(unit(33_333));
        timeline.nextLoop();
        AccessUnit moved = timeline.place(first);
        assertThat(moved.ptsMicros()).isEqualTo(66_666 + 33_333);
        assertThat(moved.data()).as("the bytes are shared, not copied").isSameAs(first.data());
        assertThat(timeline.place(unit(66_666)).ptsMicros()).isEqualTo(99_999 + 66_666);
    }

    @Test
    void pacerStaggersStreamsWithinAFrame() {
        ReplayPacer pacer = new ReplayPacer(1_000, FrameRate.of(25), 4);
        assertThat(pacer.due(0, 0)).isEqualTo(1_000);
        assertThat(pacer.due(0, 1)).isEqualTo(1_000 + 10_000_000);
        assertThat(pacer.due(2, 3)).isEqualTo(1_000 + 80_000_000 + 30_000_000);
        assertThat(pacer.await(1_000_000, 0, () -> true)).as("stopped while waiting").isFalse();
    }

    @Test
    void recordsPerStreamCountTheUnitAStopInterrupted() {
        ReplayProgress stoppedInside = new ReplayProgress(10, 32, 0, 0, Duration.ofSeconds(1), ReplayProgress.State.STOPPED);
        assertThat(stoppedInside.recordsOfStream(0, 3)).isEqualTo(11);
        assertThat(stoppedInside.recordsOfStream(1, 3)).isEqualTo(11);
        assertThat(stoppedInside.recordsOfStream(2, 3)).as("its turn never came").isEqualTo(10);
        ReplayProgress between = new ReplayProgress(10, 30, 0, 0, Duration.ofSeconds(1), ReplayProgress.State.MAX_FRAMES);
        assertThat(between.recordsOfStream(2, 3)).isEqualTo(10);
        assertThatThrownBy(() -> between.recordsOfStream(3, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void reportRoundTripsThroughItsFile(@TempDir Path dir) throws Exception {
        ReplayReport before = ReplayReport.of(StreamReplayer.builder().streams(2).streamIdPrefix("cam").build());
        assertThat(before.perStream()).containsExactly(entry("cam-0", 0L), entry("cam-1", 0L));
        assertThat(before.ended()).isFalse();
        ReplayReport done = new ReplayReport(2_000, 1_000, "stopped", 10, 19, 1234, Map.of("cam-0", 10L));
        Path file = dir.resolve("report.json");
        done.writeTo(file);
        before.writeTo(file); // replaced, not appended
        done.writeTo(file);
        assertThat(ReplayReport.read(file)).isEqualTo(done);
        assertThat(ReplayReport.read(file).ended()).isTrue();
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary files left").containsExactly(file);
        }
    }

    @Test
    void frameRateArithmetic() {
        FrameRate ntsc = new FrameRate(30_000, 1_001);
        assertThat(ntsc.frameDurationMicros()).isEqualTo(33_366);
        assertThat(ntsc.ptsMicros(30_000)).isEqualTo(1_001_000_000L);
        assertThat(ntsc).hasToString("30000/1001");
        assertThat(FrameRate.of(30).ptsMicros(2)).isEqualTo(66_666);
        assertThatThrownBy(() -> new FrameRate(0, 1)).hasMessageContaining("positive");
    }

    private static AccessUnit unit(long pts) {
        return new AccessUnit(Codec.H264, pts, pts == 0, new byte[] {0, 0, 1, 0x65});
    }
}
