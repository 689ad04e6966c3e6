package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameRecordTypeInfo;
import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.operators.chain.FrameChain;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.FrameHandleTypeInfo;
import io.vxflow.operators.route.StreamKeyTypeInfo;
import io.vxflow.operators.stages.ComposeOperator;
import io.vxflow.operators.stages.CropOperator;
import io.vxflow.operators.stages.InferOperator;
import io.vxflow.operators.stages.NormalizeOperator;
import io.vxflow.operators.stages.PadOperator;
import io.vxflow.operators.stages.PostprocessOperator;
import io.vxflow.operators.stages.ResizeOperator;
import io.vxflow.operators.stages.ResultOperator;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;

/**
 * The frame chain of {@link FrameChain#build} with a decode operator of the test's making (its
 * settings, its decoder opener), fed from records the test prepared in this JVM: a MiniCluster runs
 * its tasks here, so the records are handed over by name instead of travelling inside the job graph.
 */
final class TestChain {
    /** Records by name, for {@link Records}. */
    static final Map<String, List<FrameRecord>> RECORDS = new ConcurrentHashMap<>();

    private TestChain() {}

    /** The named records in order, from one source subtask, held where {@link Pause} says. */
    static DataStream<FrameRecord> source(StreamExecutionEnvironment env, String name) {
        return env.fromSequence(0, RECORDS.get(name).size() - 1).setParallelism(1).name("records")
                .flatMap(new Records(name)).returns(new FrameRecordTypeInfo()).setParallelism(1).name("records");
    }

    /** Looks the index up in {@link #RECORDS}. */
    static final class Records implements FlatMapFunction<Long, FrameRecord> {
        private static final long serialVersionUID = 1L;
        private final String name;

        Records(String name) {
            this.name = name;
        }

        @Override
        public void flatMap(Long index, Collector<FrameRecord> out) throws Exception {
            out.collect(RECORDS.get(name).get(index.intValue()));
            Pause.after(name, index);
        }
    }

    /** Where a test holds the source: after the record at an index, until the test counts the latch down. */
    static final class Pause {
        private static final Map<String, Map<Long, CountDownLatch>> AT = new ConcurrentHashMap<>();

        /** The latch the source waits on after emitting record {@code index} of {@code name}. */
        static CountDownLatch hold(String name, long index) {
            return AT.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).computeIfAbsent(index, k -> new CountDownLatch(1));
        }

        static void after(String name, long index) throws InterruptedException {
            Map<Long, CountDownLatch> latches = AT.get(name);
            CountDownLatch l = latches == null ? null : latches.get(index);
            if (l != null) {
                l.await();
            }
        }
    }

    /** Decode (this test's operator) and every stage after it, chained, as {@link FrameChain#build} assembles them. */
    static DataStream<EncodedResult> build(DataStream<FrameRecord> frames, PipelineSpec spec, DecodeOperator decode, int parallelism) {
        FrameChain.Options options = FrameChain.Options.defaults(parallelism).withDecode(decode.settings());
        DataStream<FrameHandle> s = FrameChain.route(frames, spec, options).keyBy(new FrameChain.RoutedKeySelector(), StreamKeyTypeInfo.INSTANCE)
                .transform("decode", FrameHandleTypeInfo.INSTANCE, decode).uid("vxflow-decode").setParallelism(parallelism)
                .setMaxParallelism(options.maxParallelism());
        s = s.transform("resize", FrameHandleTypeInfo.INSTANCE, new ResizeOperator(spec)).setParallelism(parallelism);
        s = s.transform("pad", FrameHandleTypeInfo.INSTANCE, new PadOperator(spec)).setParallelism(parallelism);
        s = s.transform("normalize", FrameHandleTypeInfo.INSTANCE, new NormalizeOperator(spec)).setParallelism(parallelism);
        s = s.transform("infer", FrameHandleTypeInfo.INSTANCE, new InferOperator(spec)).setParallelism(parallelism);
        s = s.transform("postprocess", FrameHandleTypeInfo.INSTANCE, new PostprocessOperator(spec)).setParallelism(parallelism);
        s = s.transform("crop", FrameHandleTypeInfo.INSTANCE, new CropOperator(spec)).setParallelism(parallelism);
        s = s.transform("compose", FrameHandleTypeInfo.INSTANCE, new ComposeOperator(spec, null, 1_000, false)).setParallelism(parallelism);
        return s.transform("result", TypeInformation.of(EncodedResult.class), new ResultOperator(spec)).setParallelism(parallelism);
    }

    /** A result has the synthetic scene's size and its three squares where the scene drew them at that pts. */
    static void assertKnownBoxes(FrameResult r) {
        assertThat(r.width()).isEqualTo(SyntheticScene.WIDTH);
        assertThat(r.height()).isEqualTo(SyntheticScene.HEIGHT);
        long sceneFrame = SyntheticVideoEncoder.frameIndex(r.pts());
        List<FrameResult.DetectionJson> dets = r.detections().stream().sorted(Comparator.comparingInt(FrameResult.DetectionJson::classId)).toList();
        List<SyntheticScene.Placement> want = SyntheticScene.placements(sceneFrame);
        assertThat(dets).as("%s frame %d", r.stream(), r.frame()).hasSize(want.size());
        for (int i = 0; i < want.size(); i++) {
            FrameResult.DetectionJson d = dets.get(i);
            SyntheticScene.Placement p = want.get(i);
            assertThat(d.label()).isEqualTo(p.square().label);
            assertThat(new float[] {d.x1(), d.y1(), d.x2(), d.y2()}).as("%s frame %d %s", r.stream(), r.frame(), p.square())
                    .containsExactly(new float[] {p.x1(), p.y1(), p.x2(), p.y2()}, org.assertj.core.data.Offset.offset(8f));
        }
    }
}
