package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameRecordTypeInfo;
import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.operators.LogLines;
import io.vxflow.operators.MemoryProbe;
import io.vxflow.operators.TestFrames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
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
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A producer that invents stream ids: 100,000 made-up ids of garbage, half of them claiming to be
 * keyframes, between the frames of two real streams, into one slot of a job on a MiniCluster running
 * the whole chain. The job stays up (no failure, no restart), every garbage unit is counted as bad
 * input exactly once, the real streams come back exactly once, in order, with the known boxes, and
 * memory grows by less than 256 MB while all 100,000 ids are tracked at once.
 *
 * <p><b>How memory is measured.</b> The source is held twice: after the real streams' first GOP
 * (the job is warm: decoders open, model loaded, every pool and buffer allocated), and after the
 * last record, once every garbage unit has been counted. At each hold, after full collections, the
 * live Java heap and the resident memory outside the committed heap ({@code /proc/self/status} RSS
 * minus committed heap: FFmpeg's and ONNX Runtime's allocations, direct buffers, thread stacks,
 * metaspace) are sampled ({@link MemoryProbe}); growth is the sum of both increases. The test JVM
 * holds the MiniCluster, so this is the job's memory. Heap pages the collector touches for the
 * first time in between also count as native growth, so the figure errs high, never low.
 *
 * <p>Idle flush is set beyond the run, so that no id is forgotten before the second hold: the
 * measurement is of all 100,000 tracked at once. That they go at their first idle timer is {@link
 * DecodeOperatorTest}'s to show (it moves processing time by hand).
 */
class FloodITCase {
    private static final int IDS = 100_000;
    private static final int FRAMES = 60; // per real stream; keyframes at 0 and 30
    private static final long GROWTH_LIMIT = 256L << 20;
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(restartSilently())).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static Configuration restartSilently() {
        Configuration c = new Configuration();
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ZERO);
        return c;
    }

    /** The real streams' records, by index in the input, handed to the source inside this JVM. */
    private static final Map<Long, FrameRecord> REAL = new ConcurrentHashMap<>();
    private static final CountDownLatch WARM = new CountDownLatch(1);
    private static final CountDownLatch MEASURED = new CountDownLatch(1);

    /**
     * Input record {@code i}: a real record where {@link #REAL} has one, garbage of id {@code made-up-n}
     * otherwise, made here from the index (100,000 records are never held anywhere at once). Holds the
     * source after the warm-up and after the last record.
     */
    static final class Input extends RichFlatMapFunction<Long, FrameRecord> {
        private static final long serialVersionUID = 1L;
        private final byte[] template;
        private final long warmUpEnd;
        private final long last;
        private transient Garbage garbage;
        private transient long[] realIndices;

        Input(byte[] template, long warmUpEnd, long last) {
            this.template = template;
            this.warmUpEnd = warmUpEnd;
            this.last = last;
        }

        @Override
        public void open(OpenContext context) {
            garbage = new Garbage(new AccessUnit(Codec.H264, 0, true, template));
            realIndices = REAL.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        }

        @Override
        public void flatMap(Long i, Collector<FrameRecord> out) throws Exception {
            FrameRecord real = REAL.get(i);
            if (real != null) {
                out.collect(real);
            } else {
                long n = garbageNumber(i);
                out.collect(garbage.record("made-up-" + n, Garbage.kind(n, 1_000), n, new Random(n)));
            }
            if (i == warmUpEnd) {
                WARM.await();
            } else if (i == last) {
                MEASURED.await();
            }
        }

        /** Garbage records are numbered 0, 1, ... in input order, real ones left out. */
        private long garbageNumber(long i) {
            int realBefore = -java.util.Arrays.binarySearch(realIndices, i) - 1;
            return i - realBefore;
        }
    }

    @Test
    void aHundredThousandMadeUpStreamIdsLeaveTheJobUpBoundedAndTheRealStreamsWhole(@InjectMiniCluster MiniCluster cluster) throws Exception {
        // warm-up: the first GOP of both real streams; then the flood, the real streams' second GOPs spread through it
        List<FrameRecord> a = TestFrames.stream("real-a", Profile.HIGH_BFRAMES, FRAMES);
        List<FrameRecord> b = TestFrames.stream("real-b", Profile.BASELINE, FRAMES);
        List<FrameRecord> warm = TestFrames.interleave(a.subList(0, 30), b.subList(0, 30));
        List<FrameRecord> rest = TestFrames.interleave(a.subList(30, FRAMES), b.subList(30, FRAMES));
        long index = 0;
        for (FrameRecord r : warm) {
            REAL.put(index++, r);
        }
        long warmUpEnd = index - 1;
        long flood = IDS + rest.size();
        for (int k = 0; k < rest.size(); k++) {
            REAL.put(warmUpEnd + (k + 1) * flood / rest.size(), rest.get(k)); // evenly spread; the last one last
        }
        long last = warmUpEnd + flood;
        assertThat(REAL).containsKey(last);
        Map<Garbage.Kind, Long> kinds = new EnumMap<>(Garbage.Kind.class);
        for (long n = 0; n < IDS; n++) {
            kinds.merge(Garbage.kind(n, 1_000), 1L, Long::sum);
        }

        PipelineSpec spec = PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).maxBatch(4).maxWaitMillis(20).build();
        DecodeSettings settings = DecodeSettings.defaults(2).withIdleFlush(600_000);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<FrameRecord> input = env.fromSequence(0, last).setParallelism(1)
                .flatMap(new Input(Garbage.template().data(), warmUpEnd, last)).returns(new FrameRecordTypeInfo()).setParallelism(1);
        DataStream<EncodedResult> results = TestChain.build(input, spec, new DecodeOperator(spec, settings, null), 1);

        Map<String, List<FrameResult>> byStream = new HashMap<>();
        MemoryProbe before, held;
        long streamsHeld, sessionsHeld, floodMillis;
        JobMetrics metrics;
        JobClient client;
        try (LogLines log = LogLines.of(BadInputReporter.class.getName()); CloseableIterator<EncodedResult> it = results.collectAsync()) {
            client = env.executeAsync("flood");
            metrics = new JobMetrics(METRICS, client.getJobID());
            take(it, byStream, 50); // the stream with B-frames holds a few back until it goes on
            before = MemoryProbe.sample();
            long t0 = System.nanoTime();
            WARM.countDown();
            JobMetrics m = metrics;
            await(() -> m.badInputTotal() == IDS, "every garbage unit counted");
            floodMillis = (System.nanoTime() - t0) / 1_000_000;
            await(() -> m.gauge("decode", "streams") == IDS + 2, "all ids tracked");
            streamsHeld = metrics.gauge("decode", "streams");
            sessionsHeld = metrics.gauge("decode", "decoderSessions");
            held = MemoryProbe.sample();
            MEASURED.countDown();
            it.forEachRemaining(r -> add(byStream, r));
            assertThat(client.getJobStatus().get()).isEqualTo(JobStatus.FINISHED);
            long minutes = floodMillis / 60_000 + 2;
            assertThat(log.lines().size()).as("bad input lines in %d ms", floodMillis)
                    .isLessThanOrEqualTo((int) (minutes * (BadInputReporter.LINES_PER_MINUTE + 1)));
        }
        System.out.printf("FloodITCase: %,d made-up ids in %,d ms; warm %s; flooded %s; growth %,d MB%n", IDS, floodMillis, before, held,
                held.growthSince(before) >> 20);

        assertThat(streamsHeld).isEqualTo(IDS + 2);
        assertThat(sessionsHeld).as("decoder sessions while all ids were tracked: the real streams' only").isEqualTo(2);
        assertThat(held.growthSince(before)).as("memory growth with %,d ids tracked: from %s to %s", IDS, before, held)
                .isLessThan(GROWTH_LIMIT);

        ArchivedExecutionGraph graph = cluster.getArchivedExecutionGraph(client.getJobID()).get();
        assertThat(graph.getStatusTimestamp(JobStatus.RESTARTING)).as("the job never restarted").isZero();
        assertThat(metrics.gauge(null, "numRestarts")).isZero();

        assertThat(byStream.keySet()).containsExactlyInAnyOrder("real-a", "real-b");
        for (List<FrameResult> s : byStream.values()) {
            assertThat(s).extracting(FrameResult::pts).containsExactlyElementsOf(
                    java.util.stream.LongStream.range(0, FRAMES).map(SyntheticVideoEncoder::ptsMicros).boxed().toList());
            for (int i = 0; i < s.size(); i++) {
                assertThat(s.get(i).frame()).isEqualTo(i);
                TestChain.assertKnownBoxes(s.get(i));
            }
        }
        assertThat(metrics.badInput(DecodeError.NO_KEYFRAME)).isEqualTo(kinds.get(Garbage.Kind.RANDOM) + kinds.get(Garbage.Kind.RANDOM_NAL_UNITS));
        assertThat(metrics.badInput(DecodeError.BAD_PARAMETER_SETS))
                .isEqualTo(kinds.get(Garbage.Kind.RANDOM_KEYFRAME) + kinds.get(Garbage.Kind.TRUNCATED_SPS));
        assertThat(metrics.badInput(DecodeError.TOO_LARGE)).isEqualTo(kinds.get(Garbage.Kind.LYING_SPS));
        assertThat(metrics.badInput(DecodeError.CORRUPT)).isEqualTo(kinds.get(Garbage.Kind.BROKEN_SLICE));
        assertThat(metrics.badInputTotal()).isEqualTo(IDS);
    }

    private static void take(CloseableIterator<EncodedResult> it, Map<String, List<FrameResult>> byStream, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(it.hasNext()).isTrue();
            add(byStream, it.next());
        }
    }

    private static void add(Map<String, List<FrameResult>> byStream, EncodedResult r) {
        FrameResult f = ResultJson.decode(r.json);
        byStream.computeIfAbsent(f.stream(), k -> new ArrayList<>()).add(f);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }
}
