package io.vxflow.operators.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameRecordTypeInfo;
import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.operators.TestFrames;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The frame chain on a Flink MiniCluster, CPU backend, with an in-memory bounded source. */
class FrameChainITCase {
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration())).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static PipelineSpec spec() {
        return PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).maxBatch(4).maxWaitMillis(20).build();
    }

    private static List<FrameResult> run(List<FrameRecord> records, PipelineSpec spec, int parallelism) throws Exception {
        return run(records, spec, parallelism, "frame chain");
    }

    private static List<FrameResult> run(List<FrameRecord> records, PipelineSpec spec, int parallelism, String job) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<FrameRecord> in = env.fromData(records, new FrameRecordTypeInfo());
        List<FrameResult> out = new ArrayList<>();
        for (EncodedResult r : FrameChain.build(in, spec, FrameChain.Options.defaults(parallelism)).executeAndCollect(job, records.size() + 10)) {
            out.add(ResultJson.decode(r.json));
        }
        return out;
    }

    @Test
    void everyFrameOfEveryStreamGetsOneResultInPtsOrderWithTheKnownBoxes() throws Exception {
        List<FrameRecord> a = TestFrames.stream("cam-a", Profile.BASELINE, 40);
        List<FrameRecord> b = TestFrames.stream("cam-b", Profile.HIGH_BFRAMES, 35);
        List<FrameResult> results = run(TestFrames.interleave(a, b), spec(), 2);
        Map<String, List<FrameResult>> byStream = results.stream().collect(Collectors.groupingBy(FrameResult::stream));
        assertThat(byStream.get("cam-a")).hasSize(40);
        assertThat(byStream.get("cam-b")).hasSize(35);
        for (List<FrameResult> s : byStream.values()) {
            for (int i = 0; i < s.size(); i++) {
                FrameResult r = s.get(i);
                assertThat(r.frame()).isEqualTo(i);
                assertThat(r.pts()).isEqualTo(SyntheticVideoEncoder.ptsMicros(i));
                assertKnownBoxes(r);
            }
        }
    }

    /**
     * Two streams whose ids a plain keyBy(stream id) would put on the same decode subtask: the router
     * puts them on different ones, and the job graph delivers every record of each to the subtask it
     * chose (decode refuses a key outside its key groups, so a record sent elsewhere fails the job).
     */
    @Test
    void streamsThatHashToOneSlotAreDecodedOnTheSlotsTheRouterChose() throws Exception {
        int maxP = FrameChain.Options.defaults(2).maxParallelism();
        List<String> ids = new ArrayList<>();
        for (int i = 0; ids.size() < 2; i++) {
            String id = "cam-" + i;
            if (KeyGroupRangeAssignment.assignKeyToParallelOperator(id, maxP, 2) == 0) {
                ids.add(id);
            }
        }
        List<FrameResult> results = run(TestFrames.interleave(TestFrames.stream(ids.get(0), Profile.BASELINE, 40),
                TestFrames.stream(ids.get(1), Profile.BASELINE, 40)), spec(), 2, "routing");
        Map<String, List<FrameResult>> byStream = results.stream().collect(Collectors.groupingBy(FrameResult::stream));
        assertThat(byStream.get(ids.get(0))).hasSize(40);
        assertThat(byStream.get(ids.get(1))).hasSize(40);
        Map<String, Long> decodedBySubtask = new java.util.TreeMap<>();
        long[] routed = new long[1];
        METRICS.getMetricsByGroup().forEach((group, metrics) -> {
            var vars = group.getAllVariables();
            if (!"routing".equals(vars.get("<job_name>"))) {
                return;
            }
            metrics.forEach((name, metric) -> {
                if ("decode".equals(vars.get("<operator_name>")) && name.equals("framesDecoded") && metric instanceof Counter c) {
                    decodedBySubtask.merge(vars.get("<subtask_index>"), c.getCount(), Long::sum);
                } else if ("route".equals(vars.get("<operator_name>")) && name.equals("routedStreams") && metric instanceof Gauge<?> g) {
                    routed[0] += ((Number) g.getValue()).longValue();
                }
            });
        });
        assertThat(decodedBySubtask).as("frames decoded per decode subtask (%s hash to subtask 0)", ids).containsOnly(
                Map.entry("0", 40L), Map.entry("1", 40L));
        assertThat(routed[0]).as("streams in the routers' tables").isEqualTo(2);
    }

    @Test
    void badInputIsSkippedUntilTheNextKeyframeWithoutTouchingOtherStreams() throws Exception {
        List<FrameRecord> good = TestFrames.stream("good", Profile.BASELINE, 60);
        List<FrameRecord> broken = new ArrayList<>(TestFrames.stream("broken", Profile.BASELINE, 60));
        // frame 5: garbage bytes; frame 10: unknown codec; frame 12: missing pts; frames 30..59 are a new GOP
        AccessUnit f5 = broken.get(5).unit();
        byte[] garbage = f5.data().clone();
        for (int i = 6; i < garbage.length; i += 3) {
            garbage[i] ^= 0x5A;
        }
        broken.set(5, FrameRecord.valid("broken", new AccessUnit(f5.codec(), f5.ptsMicros(), false, garbage), 0));
        broken.set(10, FrameRecord.invalid("broken", DecodeError.UNKNOWN_CODEC, "unknown codec 'vp9'", 0));
        broken.set(12, FrameRecord.invalid("broken", DecodeError.MISSING_PTS, "no pts header", 0));
        // a stream that starts mid-GOP: frames 7..59, keyframe at 30
        List<FrameRecord> late = TestFrames.stream("late", Profile.BASELINE, 60).subList(7, 60);
        List<FrameResult> results = run(TestFrames.interleave(good, broken, late), spec(), 1);
        Map<String, List<FrameResult>> byStream = results.stream().collect(Collectors.groupingBy(FrameResult::stream));
        assertThat(byStream.get("good")).hasSize(60);
        // broken: frames 0..4 decode, then nothing until the keyframe at 30, then 30..59
        List<Long> brokenPts = byStream.get("broken").stream().map(FrameResult::pts).toList();
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            if (i < 5 || i >= 30) {
                expected.add(SyntheticVideoEncoder.ptsMicros(i));
            }
        }
        assertThat(brokenPts).containsExactlyElementsOf(expected);
        assertThat(byStream.get("late")).hasSize(30);
        assertThat(byStream.get("late").get(0).pts()).isEqualTo(SyntheticVideoEncoder.ptsMicros(30));
        results.forEach(FrameChainITCase::assertKnownBoxesByPts);
    }

    @Test
    void aTopologyThatWouldBreakTheChainFailsAtBuildTimeNamingTheEdge() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.disableOperatorChaining();
        DataStream<FrameRecord> in = env.fromData(TestFrames.stream("x", Profile.BASELINE, 1), new FrameRecordTypeInfo());
        FrameChain.build(in, spec(), FrameChain.Options.defaults(1));
        assertThatThrownBy(() -> FrameChainValidator.validate(env.getStreamGraph(false)))
                .isInstanceOf(FrameChainValidator.BrokenFrameChainException.class)
                .hasMessageContaining("'decode' -> 'resize'")
                .hasMessageContaining("operator chaining is disabled");
    }

    static void assertKnownBoxes(FrameResult r) {
        assertBoxes(r, r.frame());
    }

    static void assertKnownBoxesByPts(FrameResult r) {
        assertBoxes(r, SyntheticVideoEncoder.frameIndex(r.pts()));
    }

    static void assertBoxes(FrameResult r, long sceneFrame) {
        assertThat(r.width()).isEqualTo(1920);
        assertThat(r.height()).isEqualTo(1080);
        List<FrameResult.DetectionJson> dets = new ArrayList<>(r.detections());
        dets.sort(Comparator.comparingInt(FrameResult.DetectionJson::classId));
        assertThat(dets).as("%s frame %d", r.stream(), r.frame()).hasSize(3);
        List<SyntheticScene.Placement> want = SyntheticScene.placements(sceneFrame);
        for (int i = 0; i < 3; i++) {
            FrameResult.DetectionJson d = dets.get(i);
            SyntheticScene.Placement p = want.get(i);
            assertThat(d.label()).isEqualTo(p.square().label);
            assertThat(new float[] {d.x1(), d.y1(), d.x2(), d.y2()}).as("%s frame %d %s", r.stream(), r.frame(), p.square())
                    .containsExactly(new float[] {p.x1(), p.y1(), p.x2(), p.y2()}, org.assertj.core.data.Offset.offset(8f));
        }
    }
}
