package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.decode.TestSps;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.operators.LogLines;
import io.vxflow.operators.TestFrames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.ArchivedExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * No poison records: every kind of failure while decoding one access unit, in a job on a MiniCluster
 * running the whole frame chain, is counted under its reason, logged once per stream (one line, no
 * stack trace), and costs its stream the rest of its GOP; the two clean streams beside them come
 * back whole, in order, with the known boxes; and the job finishes without a single restart,
 * although its restart strategy would have restarted it silently.
 *
 * <p>Every failure comes from real input through FFmpeg, except two that no input provokes on
 * demand: a decoder that cannot be opened (the opener throws, as when NVDEC has no session left) and
 * a decoder that throws a runtime exception ({@link ThrowingDecoder}, around FFmpeg's).
 */
class PoisonRecordITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();
    /** Large enough for every unit of the 1080p streams (keyframes are about 60 KB), small enough to pad past. */
    private static final int MAX_UNIT_BYTES = 1 << 20;
    private static final int FRAMES = 60; // keyframes at 0 and 30

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(restartSilently())).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** A failure would be retried at once and go unnoticed but for the restart count. */
    private static Configuration restartSilently() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        return c;
    }

    /** One damaged stream: its name, what is done to which unit, and what must come of it. */
    private record Case(String stream, int unit, UnaryOperator<byte[]> damage, DecodeError reason, int reasonCount, List<Integer> frames) {}

    /** Opens FFmpeg's decoders, except for two streams: one gets none, one gets a decoder that throws at its tenth unit. */
    static final class Opener implements DecodeOperator.DecoderOpener {
        private static final long serialVersionUID = 1L;
        private final AtomicInteger throwingOpened = new AtomicInteger();

        @Override
        public VideoDecoder open(SlotRuntime slot, String streamId, Codec codec) {
            if (streamId.equals("cannot-open")) {
                throw new IllegalStateException("no decoder session left (test double)");
            }
            VideoDecoder real = slot.openDecoder(codec);
            return streamId.equals("throws") && throwingOpened.getAndIncrement() == 0 ? new ThrowingDecoder(real, 10) : real;
        }
    }

    private static List<Integer> frames(int from, int to, int from2, int to2) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        for (int i = from2; i < to2; i++) {
            out.add(i);
        }
        return out;
    }

    private static byte[] flip(byte[] data, int from, int step) {
        byte[] g = data.clone();
        for (int i = from; i < g.length; i += step) {
            g[i] ^= 0x5A;
        }
        return g;
    }

    @Test
    void everyFailureOfOneAccessUnitIsCountedLoggedOnceAndSkippedWithoutARestart(@InjectMiniCluster MiniCluster cluster) throws Exception {
        List<AccessUnit> base = TestFrames.encode(Profile.BASELINE, FRAMES);
        List<AccessUnit> bframes = TestFrames.encode(Profile.HIGH_BFRAMES, FRAMES);
        byte[] smallSps = TestSps.H264.of(640, 360).withProfile(66, 1, false, false).nal();
        byte[] hugeSps = TestSps.H264.of(16, 16).sized(1023, 1023, null).nal();
        byte[] flatSps = TestSps.H264.of(16, 16).sized(255, 0, new long[] {0, 0, 0, 7}).nal(); // 4096x2: no row of a 640x640 input
        List<Case> cases = List.of(
                new Case("corrupt-keyframe", 0, d -> flip(d, 60, 1), DecodeError.CORRUPT, 1, frames(30, 60, 0, 0)),
                new Case("corrupt-p-frame", 10, d -> flip(d, 6, 3), DecodeError.CORRUPT, 1, frames(0, 10, 30, 60)),
                new Case("truncated", 15, d -> Arrays.copyOf(d, d.length / 2), DecodeError.CORRUPT, 1, frames(0, 15, 30, 60)),
                new Case("sps-too-large", 0, d -> TestSps.withSps(Codec.H264, d, hugeSps), DecodeError.TOO_LARGE, 1, frames(30, 60, 0, 0)),
                new Case("sps-too-small", 0, d -> TestSps.withSps(Codec.H264, d, smallSps), DecodeError.CORRUPT, 1, frames(30, 60, 0, 0)),
                new Case("sps-flat", 0, d -> TestSps.withSps(Codec.H264, d, flatSps), DecodeError.UNSUPPORTED_FORMAT, 1, frames(30, 60, 0, 0)),
                new Case("sps-unreadable", 0, d -> TestSps.withSps(Codec.H264, d, new byte[] {0x67, 0x42}), DecodeError.BAD_PARAMETER_SETS, 1,
                        frames(30, 60, 0, 0)),
                new Case("oversized", 20, d -> Arrays.copyOf(d, MAX_UNIT_BYTES + 1), DecodeError.ACCESS_UNIT_TOO_LARGE, 1, frames(0, 20, 30, 60)),
                new Case("cannot-open", -1, d -> d, DecodeError.DECODER_FAILURE, 2, List.of()),
                new Case("throws", -1, d -> d, DecodeError.DECODER_FAILURE, 1, frames(0, 9, 30, 60)));
        Map<String, List<FrameRecord>> streams = new LinkedHashMap<>();
        streams.put("clean", records("clean", base, -1, null));
        streams.put("clean-b-frames", records("clean-b-frames", bframes, -1, null));
        for (Case c : cases) {
            streams.put(c.stream(), records(c.stream(), base, c.unit(), c.damage()));
        }
        List<FrameRecord> input = new ArrayList<>();
        for (int i = 0; i < FRAMES; i++) {
            for (List<FrameRecord> s : streams.values()) {
                input.add(s.get(i));
            }
        }
        TestChain.RECORDS.put("poison", input);

        PipelineSpec spec = PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).maxBatch(4).maxWaitMillis(20).build();
        DecodeSettings settings = DecodeSettings.defaults(2).withLimits(new DecodeLimits(DecodeLimits.DEFAULTS.maxPixels(), MAX_UNIT_BYTES, 256));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<EncodedResult> results = TestChain.build(TestChain.source(env, "poison"), spec, new DecodeOperator(spec, settings, null, new Opener()), 2);
        Map<String, List<FrameResult>> byStream = new LinkedHashMap<>();
        JobID job;
        try (LogLines log = LogLines.of("io.vxflow.operators.decode"); CloseableIterator<EncodedResult> it = results.collectAsync()) {
            JobClient client = env.executeAsync("poison records");
            job = client.getJobID();
            it.forEachRemaining(r -> {
                FrameResult f = ResultJson.decode(r.json);
                byStream.computeIfAbsent(f.stream(), k -> new ArrayList<>()).add(f);
            });
            assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
            assertLoggedOncePerStreamAndReason(log, cases);
        }

        ArchivedExecutionGraph graph = cluster.getArchivedExecutionGraph(job).get();
        assertThat(graph.getState()).isEqualTo(JobStatus.FINISHED);
        assertThat(graph.getStatusTimestamp(JobStatus.RESTARTING)).as("the job never restarted").isZero();
        assertThat(graph.getStatusTimestamp(JobStatus.FAILING)).as("nor failed").isZero();
        JobMetrics metrics = new JobMetrics(METRICS, job);
        assertThat(metrics.gauge(null, "numRestarts")).isZero();

        assertEveryFrame(byStream.get("clean"), frames(0, FRAMES, 0, 0));
        assertEveryFrame(byStream.get("clean-b-frames"), frames(0, FRAMES, 0, 0));
        for (Case c : cases) {
            assertEveryFrame(byStream.getOrDefault(c.stream(), List.of()), c.frames());
        }
        Map<DecodeError, Long> expected = new EnumMap<>(DecodeError.class);
        long waiting = 0;
        for (Case c : cases) {
            expected.merge(c.reason(), (long) c.reasonCount(), Long::sum);
            waiting += FRAMES - c.frames().size() - c.reasonCount(); // every unit of the lost GOP after the failing one
        }
        expected.put(DecodeError.NO_KEYFRAME, waiting);
        for (DecodeError e : DecodeError.values()) {
            assertThat(metrics.badInput(e)).as("badInput.%s", e.metricName()).isEqualTo(expected.getOrDefault(e, 0L));
        }
    }

    private static List<FrameRecord> records(String stream, List<AccessUnit> units, int damaged, UnaryOperator<byte[]> damage) {
        List<FrameRecord> out = new ArrayList<>();
        long ingest = System.currentTimeMillis();
        for (int i = 0; i < units.size(); i++) {
            AccessUnit u = units.get(i);
            byte[] data = i == damaged ? damage.apply(u.data()) : u.data();
            out.add(FrameRecord.valid(stream, new AccessUnit(u.codec(), u.ptsMicros(), u.keyframe(), data), ingest + i));
        }
        return out;
    }

    /** The frames of a stream by scene index, in order, numbered from 0 without gaps, with the known boxes. */
    private static void assertEveryFrame(List<FrameResult> results, List<Integer> sceneFrames) {
        assertThat(results).extracting(FrameResult::pts)
                .containsExactlyElementsOf(sceneFrames.stream().map(SyntheticVideoEncoder::ptsMicros).toList());
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).frame()).isEqualTo(i);
            TestChain.assertKnownBoxes(results.get(i));
        }
    }

    /** One warning per damaged stream and reason (the waiting for a keyframe included), none for clean ones, no stack trace anywhere. */
    private static void assertLoggedOncePerStreamAndReason(LogLines log, List<Case> cases) {
        List<String> lines = log.lines();
        assertThat(log.thrown()).as("stack traces in %s", lines).isEmpty();
        for (Case c : cases) {
            for (DecodeError reason : List.of(c.reason(), DecodeError.NO_KEYFRAME)) {
                assertThat(lines).as("lines of %s", c.stream()).filteredOn(l -> l.startsWith("WARN stream '" + c.stream() + "': " + reason.metricName() + ":"))
                        .hasSize(1);
            }
        }
        assertThat(lines).noneMatch(l -> l.contains("stream 'clean"));
    }
}
