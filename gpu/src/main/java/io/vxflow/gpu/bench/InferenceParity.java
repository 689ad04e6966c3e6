package io.vxflow.gpu.bench;

import io.vxflow.gpu.cpu.CpuNormalize;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.PinnedBuffer;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.OnnxRuntimeEngine;
import io.vxflow.gpu.ops.NormalizeSpec;
import io.vxflow.gpu.postprocess.ClassScore;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.postprocess.TopK;
import io.vxflow.gpu.postprocess.YoloDecoder;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.tensor.HostTensor;
import io.vxflow.gpu.trt.Precision;
import io.vxflow.gpu.trt.TensorDataType;
import io.vxflow.gpu.trt.TensorRtContext;
import io.vxflow.gpu.trt.TensorRtEngine;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The same ONNX model on the CPU backend (ONNX Runtime, fp32) and the GPU backend (TensorRT, fp16 or
 * fp32) over the same inputs: frames of the synthetic scene and noise images, letterboxed and
 * normalized by the CPU reference. Classifiers: how often top-1 agrees. Detectors, matched both
 * ways: every detection scoring at least {@value #COUNTED_SCORE} on either side must be paired, one
 * to one, with a detection of the other side of the same class, IoU at least {@value #MIN_IOU} and a
 * score within {@code scoreTolerance}; those that are not are unmatched, counted per side (a GPU
 * detection the CPU does not have is as much a disagreement as a missing one). Both sides are decoded
 * down to {@value #DECODED_SCORE}, so a score moving across the counting threshold is no miss.
 */
public final class InferenceParity {
    static final float COUNTED_SCORE = 0.3f;
    static final float DECODED_SCORE = 0.2f;
    static final float MIN_IOU = 0.9f;

    /**
     * What was compared and how well it agreed. Detectors: {@code compared} CPU detections of which
     * {@code agreeing} were matched, and {@code gpuCompared} GPU detections of which {@code
     * gpuAgreeing} were. Classifiers: images, and images whose top-1 agrees, the same on both sides.
     */
    public record Result(int images, int compared, int agreeing, int gpuCompared, int gpuAgreeing, double maxScoreDifference) {
        /** The lower of the two sides' match rates; 1 when nothing was compared. */
        public double agreement() {
            return Math.min(rate(agreeing, compared), rate(gpuAgreeing, gpuCompared));
        }

        /** CPU detections (classifiers: images) the GPU did not reproduce. */
        public int unmatchedCpu() {
            return compared - agreeing;
        }

        /** GPU detections (classifiers: images) the CPU does not have. */
        public int unmatchedGpu() {
            return gpuCompared - gpuAgreeing;
        }

        private static double rate(int matched, int of) {
            return of == 0 ? 1.0 : (double) matched / of;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d images: CPU %d compared, %d unmatched; GPU %d compared, %d unmatched;"
                    + " agreement %.4f, max score difference %.4f", images, compared, unmatchedCpu(), gpuCompared, unmatchedGpu(),
                    agreement(), maxScoreDifference);
        }
    }

    /** One image's detections matched both ways; {@code maxScoreDifference} over the matched pairs. */
    record Matching(int cpuCounted, int cpuMatched, int gpuCounted, int gpuMatched, double maxScoreDifference) {}

    private InferenceParity() {}

    public static Result run(ModelInfo model, GpuContext ctx, Precision precision, int engineMaxBatch, int images, float scoreTolerance) {
        int batch = 8, h = model.inputHeight(), w = model.inputWidth();
        NormalizeSpec norm = model.kind() == ModelInfo.Kind.CLASSIFIER ? NormalizeSpec.IMAGENET : NormalizeSpec.UNIT;
        HostTensor in = HostTensor.allocate(batch, 3, h, w);
        HostTensor cpuOut = outputTensor(model, batch);
        int agreeing = 0, compared = 0, gpuAgreeing = 0, gpuCompared = 0;
        double maxDiff = 0;
        try (TensorRtEngine engine = TensorRtEngine.acquire(model, ctx.device(), precision, Math.max(batch, engineMaxBatch));
                TensorRtContext trt = engine.newContext(ctx);
                OnnxRuntimeEngine ort = new OnnxRuntimeEngine(model, Runtime.getRuntime().availableProcessors())) {
            boolean half = engine.inputType() == TensorDataType.FLOAT16;
            DeviceBuffer dIn = ctx.allocate(engine.inputBytes(batch), "parity input");
            DeviceBuffer dOut = ctx.allocate(engine.outputBytes(batch), "parity output");
            PinnedBuffer hIn = ctx.allocatePinned(dIn.size());
            PinnedBuffer hOut = ctx.allocatePinned(dOut.size());
            Random noise = new Random(11);
            for (int first = 0; first < images; first += batch) {
                for (int i = 0; i < batch; i++) {
                    fill(in, i, first + i, norm, w, h, noise);
                }
                ort.run(in, cpuOut, batch);
                upload(in, hIn.view(), half);
                ctx.copyToDeviceAsync(dIn.address(), hIn.pointer(), dIn.size());
                trt.enqueue(dIn.address(), dOut.address(), batch);
                ctx.copyToHostAsync(hOut, 0, dOut.address(), dOut.size());
                ctx.synchronize();
                FloatBuffer gpuOut = hOut.view().asFloatBuffer();
                for (int i = 0; i < batch; i++) {
                    int off = i * cpuOut.itemSize();
                    if (model.kind() == ModelInfo.Kind.CLASSIFIER) {
                        TopK top = new TopK(model.numClasses(), 1);
                        List<ClassScore> c = top.select(cpuOut.data(), off), g = top.select(gpuOut, off);
                        boolean same = c.get(0).classId() == g.get(0).classId();
                        compared++;
                        gpuCompared++;
                        agreeing += same ? 1 : 0;
                        gpuAgreeing += same ? 1 : 0;
                        maxDiff = Math.max(maxDiff, Math.abs(c.get(0).score() - g.get(0).score()));
                    } else {
                        LetterboxGeometry geo = LetterboxGeometry.fit(w, h, w, h);
                        YoloDecoder dec = new YoloDecoder(model.numClasses(), model.anchors(), DECODED_SCORE, 0.45f, 300);
                        Matching m = match(dec.decode(cpuOut.data(), off, geo), dec.decode(gpuOut, off, geo), scoreTolerance);
                        compared += m.cpuCounted();
                        agreeing += m.cpuMatched();
                        gpuCompared += m.gpuCounted();
                        gpuAgreeing += m.gpuMatched();
                        maxDiff = Math.max(maxDiff, m.maxScoreDifference());
                    }
                }
            }
        }
        return new Result(images, compared, agreeing, gpuCompared, gpuAgreeing, maxDiff);
    }

    /**
     * Pairs CPU and GPU detections one to one, best IoU first, among pairs of the same class with IoU
     * at least {@value #MIN_IOU} and scores within {@code scoreTolerance}; then counts, per side, the
     * detections scoring at least {@value #COUNTED_SCORE} and how many of them found a partner.
     */
    static Matching match(List<Detection> cpu, List<Detection> gpu, float scoreTolerance) {
        List<int[]> pairs = new ArrayList<>();
        List<Float> ious = new ArrayList<>();
        for (int i = 0; i < cpu.size(); i++) {
            for (int j = 0; j < gpu.size(); j++) {
                Detection c = cpu.get(i), g = gpu.get(j);
                float iou = c.iou(g);
                if (c.classId() == g.classId() && iou >= MIN_IOU && Math.abs(c.score() - g.score()) <= scoreTolerance) {
                    pairs.add(new int[] {i, j, ious.size()});
                    ious.add(iou);
                }
            }
        }
        pairs.sort((a, b) -> Float.compare(ious.get(b[2]), ious.get(a[2])));
        boolean[] cpuPaired = new boolean[cpu.size()], gpuPaired = new boolean[gpu.size()];
        double maxDiff = 0;
        for (int[] p : pairs) {
            if (!cpuPaired[p[0]] && !gpuPaired[p[1]]) {
                cpuPaired[p[0]] = true;
                gpuPaired[p[1]] = true;
                if (cpu.get(p[0]).score() >= COUNTED_SCORE || gpu.get(p[1]).score() >= COUNTED_SCORE) {
                    maxDiff = Math.max(maxDiff, Math.abs(cpu.get(p[0]).score() - gpu.get(p[1]).score()));
                }
            }
        }
        int[] c = counted(cpu, cpuPaired), g = counted(gpu, gpuPaired);
        return new Matching(c[0], c[1], g[0], g[1], maxDiff);
    }

    /** Detections scoring at least the counting threshold, and how many of those are paired. */
    private static int[] counted(List<Detection> dets, boolean[] paired) {
        int counted = 0, matched = 0;
        for (int i = 0; i < dets.size(); i++) {
            if (dets.get(i).score() >= COUNTED_SCORE) {
                counted++;
                matched += paired[i] ? 1 : 0;
            }
        }
        return new int[] {counted, matched};
    }

    private static HostTensor outputTensor(ModelInfo model, int batch) {
        long[] shape = new long[model.outputShape().length + 1];
        shape[0] = batch;
        System.arraycopy(model.outputShape(), 0, shape, 1, model.outputShape().length);
        return HostTensor.allocate(shape);
    }

    /** Even images: the synthetic scene (frame {@code index * 7}); odd: uniform noise. Letterboxed, normalized. */
    private static void fill(HostTensor t, int item, int index, NormalizeSpec norm, int w, int h, Random noise) {
        HostImage canvas = HostImage.allocateRgb(w, h);
        byte[] px = canvas.plane(0).array();
        if (index % 2 == 0) {
            // the scene, letterboxed by nearest neighbour: both engines see exactly the same pixels
            byte[] rgb = new byte[SyntheticScene.WIDTH * SyntheticScene.HEIGHT * 3];
            SyntheticScene.renderRgb(index * 7L, rgb);
            LetterboxGeometry g = LetterboxGeometry.fit(SyntheticScene.WIDTH, SyntheticScene.HEIGHT, w, h);
            java.util.Arrays.fill(px, (byte) 114);
            for (int y = 0; y < g.contentHeight(); y++) {
                int sy = (int) ((y + 0.5) * SyntheticScene.HEIGHT / g.contentHeight());
                for (int x = 0; x < g.contentWidth(); x++) {
                    int sx = (int) ((x + 0.5) * SyntheticScene.WIDTH / g.contentWidth());
                    System.arraycopy(rgb, 3 * (sy * SyntheticScene.WIDTH + sx), px, 3 * ((y + g.padY()) * w + x + g.padX()), 3);
                }
            }
        } else {
            noise.nextBytes(px);
        }
        new CpuNormalize(norm).run(canvas, t.item(item));
    }

    private static void upload(HostTensor in, ByteBuffer dst, boolean half) {
        FloatBuffer src = in.data();
        int n = src.remaining();
        for (int i = 0; i < n; i++) {
            float v = src.get(i);
            if (half) {
                dst.putShort(2 * i, io.vxflow.gpu.tensor.Half.fromFloat(v));
            } else {
                dst.putFloat(4 * i, v);
            }
        }
    }
}
