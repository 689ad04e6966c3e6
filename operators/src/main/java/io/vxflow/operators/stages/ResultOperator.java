package io.vxflow.operators.stages;

import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.Png;
import io.vxflow.connectors.results.ResultJson;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.FrameOutput;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.postprocess.ClassScore;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.Stage;
import io.vxflow.operators.metrics.SlotGpuMetrics;
import io.vxflow.operators.metrics.SlotStreamMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The end of the frame chain: brings the frames' small results to the host, releases everything the
 * frames held, and emits each result as JSON.
 *
 * <p>It works on what the infer stage sends on at once (a batch, plus frames dropped under overload
 * queued behind it): frames wait here until the group's last one has passed crop and compose, then
 * the group's results come back with one device-to-host copy (boxes and thumbnails together) and one
 * host wait, and the results go out in the order the frames came. A group arrives within one call of
 * the infer stage, so nothing waits here across a checkpoint barrier.
 *
 * <p>Metrics: {@code framesOut} counter, {@code framesDropped} counter (results of frames not
 * analysed) and {@code latencyMillis} histogram (Kafka ingest to emit); per stream, in group {@code
 * stream=<id>} for as long as the decode stage keeps the stream ({@link SlotStreamMetrics}), {@code
 * framesOut}, {@code fps} (a meter of framesOut over {@value #FPS_SECONDS} s) and {@code latencyMillis}
 * (the last {@value #STREAM_LATENCY_WINDOW} results). On a GPU slot also the slot's {@link SlotGpuMetrics}.
 */
public final class ResultOperator extends ChainStageOperator<EncodedResult> {
    private static final long serialVersionUID = 1L;
    static final int FPS_SECONDS = 10;
    static final int STREAM_LATENCY_WINDOW = 512;
    private transient Counter framesOut;
    private transient Counter framesDropped;
    private transient Histogram latency;
    private transient List<FrameHandle> group;
    private transient SlotStreamMetrics.PerStream<StreamResults> perStream;
    private transient SlotGpuMetrics gpu;

    public ResultOperator(PipelineSpec spec) {
        super(spec, null);
    }

    @Override
    public void open() throws Exception {
        super.open();
        framesOut = getMetricGroup().counter("framesOut");
        framesDropped = getMetricGroup().counter("framesDropped");
        latency = getMetricGroup().histogram("latencyMillis", new DescriptiveStatisticsHistogram(2048));
        group = new ArrayList<>();
        perStream = slot().streamMetrics().perStream(getMetricGroup(), StreamResults::new);
        gpu = SlotGpuMetrics.register(getMetricGroup(), runtime, getProcessingTimeService());
    }

    /** One stream's result metrics. */
    private static final class StreamResults {
        final Counter framesOut;
        final Meter fps;
        final Histogram latency;

        StreamResults(MetricGroup g) {
            framesOut = g.counter("framesOut");
            fps = g.meter("fps", new MeterView(framesOut, FPS_SECONDS));
            latency = g.histogram("latencyMillis", new DescriptiveStatisticsHistogram(STREAM_LATENCY_WINDOW));
        }
    }

    @Override
    boolean takesDropped() {
        return true;
    }

    @Override
    EncodedResult process(FrameHandle h) {
        group.add(h);
        if (!h.lastOfFlush()) {
            return null;
        }
        try {
            for (FrameHandle f : group) {
                output.collect(new StreamRecord<>(result(f)));
            }
        } finally {
            for (FrameHandle f : group) {
                f.releaseAll();
            }
            group.clear();
        }
        return null;
    }

    private EncodedResult result(FrameHandle h) {
        long t0 = System.nanoTime();
        FrameOutput out;
        if (h.dropped() != null) {
            out = FrameOutput.EMPTY;
            framesDropped.inc();
        } else {
            // the first read of the group's batch copies all of it; the others read the host copy
            out = runtime.read(h.item());
            h.releaseAll(); // the output is on the heap: the frame's surface and batch item go back
        }
        h.addStageNanos(Stage.READ, System.nanoTime() - t0);
        long now = System.currentTimeMillis();
        FrameResult result = toResult(h, out, now);
        framesOut.inc();
        latency.update(now - h.ingestMillis());
        StreamResults s = perStream.get(h.streamId());
        if (s != null) {
            s.framesOut.inc();
            s.latency.update(now - h.ingestMillis());
        }
        return new EncodedResult(h.streamId(), h.ptsMicros(), ResultJson.encode(result));
    }

    /** On cancellation or failure, frames still waiting for their group give back what they hold. */
    @Override
    public void close() throws Exception {
        try {
            if (group != null) {
                group.forEach(FrameHandle::releaseAll);
                group.clear();
            }
            if (perStream != null) {
                perStream.release();
            }
            if (gpu != null) {
                gpu.close();
            }
        } finally {
            super.close();
        }
    }

    private FrameResult toResult(FrameHandle h, FrameOutput out, long now) {
        ModelInfo m = spec.model();
        List<FrameResult.DetectionJson> dets = new ArrayList<>(out.detections().size());
        for (Detection d : out.detections()) {
            dets.add(new FrameResult.DetectionJson(d.classId(), m.label(d.classId()), d.score(), d.x1(), d.y1(), d.x2(), d.y2()));
        }
        List<FrameResult.ClassJson> classes = new ArrayList<>(out.classes().size());
        for (ClassScore c : out.classes()) {
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
                runtime.backend().wireName(), h.decoder(), dets, classes, crops, new FrameResult.Timing(h.ingestMillis(), now, h.batchSize(), stages),
                h.dropped());
    }
}
