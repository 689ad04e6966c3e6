package io.vxflow.operators.stages;

import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.Png;
import io.vxflow.connectors.results.ResultJson;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.FrameOutput;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The end of the frame chain: copies the frame's small results to the host (the one device-to-host
 * copy per frame), releases everything the frame held, and emits the result as JSON.
 *
 * <p>Metrics: {@code framesOut} counter and {@code latencyMillis} histogram (Kafka ingest to
 * emit).
 */
public final class ResultOperator extends ChainStageOperator<EncodedResult> {
    private static final long serialVersionUID = 1L;
    private transient Counter framesOut;
    private transient Histogram latency;

    public ResultOperator(PipelineSpec spec) {
        super(spec, null);
    }

    @Override
    public void open() throws Exception {
        super.open();
        framesOut = getMetricGroup().counter("framesOut");
        latency = getMetricGroup().histogram("latencyMillis", new DescriptiveStatisticsHistogram(2048));
    }

    @Override
    EncodedResult process(FrameHandle h) {
        long t0 = System.nanoTime();
        FrameOutput out;
        try {
            out = runtime.read(h.item());
        } finally {
            // the output is already on the heap: the frame's surface and batch item go back, even on failure
            h.releaseAll();
        }
        h.addStageNanos(Stage.READ, System.nanoTime() - t0);
        long now = System.currentTimeMillis();
        FrameResult result = toResult(h, out, now);
        framesOut.inc();
        latency.update(now - h.ingestMillis());
        return new EncodedResult(h.streamId(), h.ptsMicros(), ResultJson.encode(result));
    }

    private FrameResult toResult(FrameHandle h, FrameOutput out, long now) {
        ModelInfo m = spec.model();
        List<FrameResult.DetectionJson> dets = new ArrayList<>(out.detections().size());
        for (Detection d : out.detections()) {
            dets.add(new FrameResult.DetectionJson(d.classId(), m.label(d.classId()), d.score(), d.x1(), d.y1(), d.x2(), d.y2()));
        }
        List<FrameResult.ClassJson> classes = new ArrayList<>(out.classes().size());
        for (FrameOutput.ClassScore c : out.classes()) {
            classes.add(new FrameResult.ClassJson(c.classId(), m.label(c.classId()), c.score()));
        }
        List<byte[]> crops = new ArrayList<>(out.crops().size());
        for (byte[] rgb : out.crops()) {
            crops.add(Png.encodeRgb(out.cropSize(), out.cropSize(), rgb));
        }
        Map<String, Long> stages = new LinkedHashMap<>();
        for (Stage s : Stage.values()) {
            if ((s == Stage.CROP && !spec.cropsEnabled()) || (s == Stage.COMPOSE && !spec.composeEnabled())) {
                continue;
            }
            stages.put(s.wireName(), h.stageNanos(s) / 1000);
        }
        return new FrameResult(h.streamId(), h.ptsMicros(), h.frameIndex(), h.width(), h.height(), m.name(),
                runtime.backend().wireName(), h.decoder(), dets, classes, crops, new FrameResult.Timing(h.ingestMillis(), now, h.batchSize(), stages));
    }
}
