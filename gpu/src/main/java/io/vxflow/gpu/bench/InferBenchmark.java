package io.vxflow.gpu.bench;

import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.ModelInspector;
import io.vxflow.gpu.infer.OnnxRuntimeEngine;
import io.vxflow.gpu.tensor.HostTensor;
import io.vxflow.gpu.trt.Precision;
import io.vxflow.gpu.trt.TensorRtContext;
import io.vxflow.gpu.trt.TensorRtEngine;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * TensorRT alone: engine build (or cache load) time, then for each batch size the latency of one
 * {@code enqueueV3} (GPU time, CUDA events, median of 30) and images per second; the same model on
 * ONNX Runtime (CPU, all cores) for the ratio; and CPU-vs-GPU parity ({@link InferenceParity}), both
 * ways, with unmatched results per side and a verdict ({@link #parityVerdict}).
 */
public final class InferBenchmark {
    private static final int REPS = 30;
    /** The share of each side's results parity must match for the report to say ok (the GPU tests hold the same floor). */
    static final int PARITY_FLOOR_PERCENT = 99;

    private InferBenchmark() {}

    public static void run(BenchReport report, int gpu, List<Path> models, int[] batches, Precision precision, int parityImages) {
        report.machine("tensorrt", io.vxflow.gpu.trt.TensorRtLibrary.load().release());
        io.vxflow.gpu.cuda.GpuDevice dev = io.vxflow.gpu.cuda.Cuda.device(gpu);
        report.machine("gpu", dev.name() + " (" + dev.arch() + ", driver API " + dev.driverVersion() + ")");
        int maxBatch = 0;
        for (int b : batches) {
            maxBatch = Math.max(maxBatch, b);
        }
        for (Path path : models) {
            ModelInfo model = ModelInspector.inspect(path);
            String name = model.name() + " " + precision.name().toLowerCase(java.util.Locale.ROOT);
            try (GpuContext ctx = GpuContext.open(gpu); CudaTimer timer = new CudaTimer(ctx)) {
                long t0 = System.nanoTime();
                try (TensorRtEngine engine = TensorRtEngine.acquire(model, ctx.device(), precision, maxBatch);
                        TensorRtContext trt = engine.newContext(ctx)) {
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    report.add("infer", name + " engine " + engine.origin().name().toLowerCase(java.util.Locale.ROOT),
                            Map.of("max batch", maxBatch), seconds, "s");
                    DeviceBuffer in = ctx.allocate(engine.inputBytes(maxBatch), "bench input");
                    DeviceBuffer out = ctx.allocate(engine.outputBytes(maxBatch), "bench output");
                    ctx.fillAsync(in.address(), (byte) 0x3c, in.size());
                    for (int b : batches) {
                        for (int i = 0; i < 10; i++) {
                            trt.enqueue(in.address(), out.address(), b);
                        }
                        double[] ms = new double[REPS];
                        for (int r = 0; r < REPS; r++) {
                            timer.start();
                            trt.enqueue(in.address(), out.address(), b);
                            ms[r] = timer.stopMillis();
                        }
                        double med = BenchReport.median(ms);
                        report.add("infer", name + " TensorRT latency", Map.of("batch", b), med, "ms/batch");
                        report.add("infer", name + " TensorRT throughput", Map.of("batch", b), b / (med / 1000), "images/s");
                        // back to back: what a saturated slot sustains, enqueue overhead included
                        timer.start();
                        for (int r = 0; r < REPS; r++) {
                            trt.enqueue(in.address(), out.address(), b);
                        }
                        double total = timer.stopMillis();
                        report.add("infer", name + " TensorRT back-to-back", Map.of("batch", b), b * REPS / (total / 1000), "images/s");
                    }
                }
                if (parityImages > 0) {
                    InferenceParity.Result p = InferenceParity.run(model, ctx, precision, maxBatch, parityImages, 0.05f);
                    boolean classifier = model.kind() == ModelInfo.Kind.CLASSIFIER;
                    Map<String, Object> params = new java.util.LinkedHashMap<>();
                    params.put("images", p.images());
                    params.put(classifier ? "compared" : "cpu detections", p.compared());
                    params.put(classifier ? "top-1 differs" : "cpu unmatched", p.unmatchedCpu());
                    if (!classifier) {
                        params.put("gpu detections", p.gpuCompared());
                        params.put("gpu unmatched", p.unmatchedGpu());
                    }
                    params.put("max score diff", String.format(java.util.Locale.ROOT, "%.4f", p.maxScoreDifference()));
                    params.put("verdict", parityVerdict(p));
                    report.add("infer", name + " parity vs ONNX Runtime fp32", params, 100 * p.agreement(),
                            classifier ? "% top-1 equal" : "% detections matched both ways");
                }
            }
            ortBaseline(report, model);
        }
    }

    /**
     * {@code ok} when at least {@value #PARITY_FLOOR_PERCENT}% of each side's detections (or images)
     * are matched and some were compared; otherwise {@code FAIL} and why, so that the report never
     * states parity it did not see.
     */
    static String parityVerdict(InferenceParity.Result p) {
        if (p.compared() == 0 && p.gpuCompared() == 0) {
            return "FAIL: nothing to compare";
        }
        double floor = PARITY_FLOOR_PERCENT / 100.0;
        List<String> failed = new java.util.ArrayList<>();
        if (p.unmatchedCpu() > (1 - floor) * p.compared()) {
            failed.add(p.unmatchedCpu() + " of " + p.compared() + " CPU results unmatched");
        }
        if (p.unmatchedGpu() > (1 - floor) * p.gpuCompared()) {
            failed.add(p.unmatchedGpu() + " of " + p.gpuCompared() + " GPU results unmatched");
        }
        return failed.isEmpty() ? "ok" : "FAIL: " + String.join(", ", failed);
    }

    private static void ortBaseline(BenchReport report, ModelInfo model) {
        int threads = Runtime.getRuntime().availableProcessors();
        for (int b : new int[] {1, 8}) {
            HostTensor in = HostTensor.allocate(b, 3, model.inputHeight(), model.inputWidth());
            long[] shape = new long[model.outputShape().length + 1];
            shape[0] = b;
            System.arraycopy(model.outputShape(), 0, shape, 1, model.outputShape().length);
            HostTensor out = HostTensor.allocate(shape);
            try (OnnxRuntimeEngine ort = new OnnxRuntimeEngine(model, threads)) {
                ort.run(in, out, b);
                int reps = 5;
                double[] ms = new double[reps];
                for (int r = 0; r < reps; r++) {
                    long t0 = System.nanoTime();
                    ort.run(in, out, b);
                    ms[r] = (System.nanoTime() - t0) / 1e6;
                }
                double med = BenchReport.median(ms);
                report.add("infer", model.name() + " ONNX Runtime CPU (" + threads + " threads)", Map.of("batch", b), b / (med / 1000), "images/s");
            }
        }
    }

}
