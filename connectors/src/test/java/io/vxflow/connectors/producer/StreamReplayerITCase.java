package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.producer.ReplayProgress.State;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * StreamReplayer from a file and from memory to a real in-process broker, read back with a plain
 * consumer and the frames topic's parser: N streams from one read, exact counts, pts that keep
 * increasing across loops, real-time pacing, and the stop conditions.
 */
class StreamReplayerITCase {
    private static EmbeddedKafkaBroker broker;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().build();
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /**
     * The same records whether later loops come from memory (a small file: it is neither rewound nor
     * probed again, which stalled the pacing) or from the file rewound (a source over the memory limit).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void fileAsThreeLoopedStreamsHasExactCountsAndStrictlyIncreasingPts(boolean fitsInMemory) {
        String topic = "replay-loop-" + fitsInMemory;
        broker.createTopic(topic, 3);
        Path file = TestClips.write(TestClips.of(Profile.BASELINE), dir, "mp4");
        List<AccessUnit> source;
        try (AccessUnitReader reader = AccessUnitReader.open(file)) {
            source = AccessUnitReaderTest.readAll(reader);
        }
        int frames = 2 * source.size() + 10; // two full loops and part of a third
        StreamReplayer replayer = StreamReplayer.builder().streams(3).streamIdPrefix("cam").loop(true)
                .maxFramesPerStream(frames).loopInMemoryBytes(fitsInMemory ? StreamReplayer.LOOP_IN_MEMORY_BYTES : 0).build();

        ReplayProgress done;
        int[] rewinds = {0};
        try (AccessUnitReader reader = AccessUnitReader.open(file);
                FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), topic)) {
            done = replayer.replay(new ForwardingSource(reader) {
                @Override
                public void rewind() {
                    rewinds[0]++;
                    super.rewind();
                }
            }, publisher);
            assertThat(publisher.recordsSent()).isEqualTo(3L * frames);
        }
        assertThat(rewinds[0]).as("rewinds of the file").isEqualTo(fitsInMemory ? 0 : 2);

        assertThat(done.state()).isEqualTo(State.MAX_FRAMES);
        assertThat(done.unitsRead()).isEqualTo(frames);
        assertThat(done.recordsPublished()).isEqualTo(3L * frames);
        assertThat(done.loopsCompleted()).isEqualTo(2);
        Map<String, List<AccessUnit>> byStream = FramePublisherITCase.parseAll(
                FramesTopicReader.readAll(broker.bootstrapServers(), topic));
        assertThat(byStream).containsOnlyKeys("cam-0", "cam-1", "cam-2");
        long loopLength = source.size() * 1_000_000L / SyntheticScene.FPS; // 36 frames at 30 fps: 1.2 s
        for (List<AccessUnit> stream : byStream.values()) {
            assertThat(stream).hasSize(frames);
            assertThat(stream).extracting(AccessUnit::ptsMicros).isSorted().doesNotHaveDuplicates();
            for (int i = 0; i < frames; i++) {
                AccessUnit expected = source.get(i % source.size());
                assertThat(Arrays.equals(stream.get(i).data(), expected.data())).as("bytes of frame %d", i).isTrue();
                assertThat(stream.get(i).keyframe()).isEqualTo(expected.keyframe());
                long loop = i / source.size();
                assertThat(stream.get(i).ptsMicros()).as("pts of frame %d", i)
                        .isCloseTo(expected.ptsMicros() + loop * loopLength, within(1L));
            }
        }
    }

    @Test
    void realTimePacingSendsAt30FramesPerSecond() {
        StreamReplayer replayer = StreamReplayer.builder().streams(2).streamIdPrefix("paced").realTime(true)
                .maxFramesPerStream(15).build();
        ReplayProgress done;
        try (AccessUnitSource source = inMemory(TestClips.of(Profile.BASELINE).inBand());
                FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), "replay-paced")) {
            done = replayer.replay(source, publisher);
        }
        // the 15th frame is due 14/30 s after the start, the second stream 1/60 s after that
        assertThat(done.elapsed()).isBetween(Duration.ofMillis(400), Duration.ofMillis(3_000));
        assertThat(done.recordsPublished()).isEqualTo(30);
        Map<String, List<AccessUnit>> byStream = FramePublisherITCase.parseAll(
                FramesTopicReader.readAll(broker.bootstrapServers(), "replay-paced"));
        assertThat(byStream.get("paced-0")).hasSize(15);
        assertThat(byStream.get("paced-1")).hasSize(15);
    }

    @Test
    void inMemoryBFrameStreamUnderOneIdLoopsAboveThePreviousLoop() {
        Profile profile = Profile.HIGH_BFRAMES.isAvailable() ? Profile.HIGH_BFRAMES : Profile.BASELINE;
        List<AccessUnit> source = TestClips.of(profile).inBand();
        StreamReplayer replayer = StreamReplayer.builder().streamId("demo").loop(true)
                .maxFramesPerStream(2L * source.size()).build();
        try (AccessUnitSource memory = inMemory(source);
                FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), "replay-memory")) {
            assertThat(replayer.replay(memory, publisher).state()).isEqualTo(State.MAX_FRAMES);
        }
        List<AccessUnit> got = FramePublisherITCase.parseAll(
                FramesTopicReader.readAll(broker.bootstrapServers(), "replay-memory")).get("demo");
        assertThat(got).hasSize(2 * source.size());
        long maxFirst = got.subList(0, source.size()).stream().mapToLong(AccessUnit::ptsMicros).max().orElseThrow();
        long minSecond = got.subList(source.size(), got.size()).stream().mapToLong(AccessUnit::ptsMicros).min()
                .orElseThrow();
        assertThat(minSecond).as("every pts of loop 2 is above every pts of loop 1 (%s)", profile)
                .isGreaterThan(maxFirst);
        assertThat(got.subList(0, source.size())).extracting(AccessUnit::ptsMicros)
                .containsExactlyElementsOf(source.stream().map(AccessUnit::ptsMicros).toList());
    }

    @Test
    void maxDurationEndsARealTimeLoop() {
        StreamReplayer replayer = StreamReplayer.builder().realTime(true).loop(true)
                .maxDuration(Duration.ofMillis(300)).build();
        ReplayProgress done;
        try (AccessUnitSource source = inMemory(TestClips.of(Profile.BASELINE).inBand());
                FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), "replay-duration")) {
            done = replayer.replay(source, publisher);
        }
        assertThat(done.state()).isEqualTo(State.MAX_DURATION);
        assertThat(done.elapsed()).isBetween(Duration.ofMillis(300), Duration.ofMillis(2_000));
        assertThat(done.unitsRead()).isBetween(8L, 11L); // 30 fps for 0.3 s
    }

    @Test
    void stopFromAnotherThreadEndsTheReplay() throws Exception {
        StreamReplayer replayer = StreamReplayer.builder().streams(4).realTime(true).loop(true).build();
        try (AccessUnitSource source = inMemory(TestClips.of(Profile.BASELINE).inBand());
                FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), "replay-stop")) {
            CompletableFuture<ReplayProgress> running = CompletableFuture.supplyAsync(
                    () -> replayer.replay(source, publisher));
            while (replayer.progress().unitsRead() < 5) {
                Thread.sleep(10);
            }
            assertThat(replayer.progress().state()).isEqualTo(State.RUNNING);
            replayer.stop();
            ReplayProgress done = running.get(5, TimeUnit.SECONDS);
            assertThat(done.state()).isEqualTo(State.STOPPED);
            assertThat(publisher.recordsSent()).isEqualTo(done.recordsPublished());
        }
    }

    private static AccessUnitSource inMemory(List<AccessUnit> units) {
        return new InMemoryAccessUnitSource(units, SyntheticScene.WIDTH, SyntheticScene.HEIGHT,
                FrameRate.of(SyntheticScene.FPS));
    }

    /** Passes everything to the source it wraps. */
    private static class ForwardingSource implements AccessUnitSource {
        private final AccessUnitSource source;

        ForwardingSource(AccessUnitSource source) {
            this.source = source;
        }

        @Override
        public io.vxflow.codec.Codec codec() {
            return source.codec();
        }

        @Override
        public int width() {
            return source.width();
        }

        @Override
        public int height() {
            return source.height();
        }

        @Override
        public FrameRate frameRate() {
            return source.frameRate();
        }

        @Override
        public AccessUnit next() {
            return source.next();
        }

        @Override
        public void rewind() {
            source.rewind();
        }

        @Override
        public String description() {
            return source.description();
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
