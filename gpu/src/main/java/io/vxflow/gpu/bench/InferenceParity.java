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
import io.vxflow.gpu.pipeline.FrameOutput;
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
import java.util.List;
import java.util.Random;

/**
 * The same ONNX model on the CPU backend (ONNX Runtime, fp32) and the GPU backend (TensorRT, fp16 or
 * fp32) over the same inputs: frames of the synthetic scene and noise images, letterboxed and
 * normalized by the CPU reference. Classifiers: how often top-1 agrees. Detectors: how many CPU
 * detections scoring at least 0.3 have a GPU detection of the same class with IoU at least 0.9 and a
 * score within {@code scoreTolerance} (the GPU side is decoded down to 0.2, so a score moving across
 * the 0.25 threshold in fp16 does not count as a miss).
 */
public final class InferenceParity {
    /** What was compared and how well it agreed. */
    public record Result(int images, int agreeing, int compared, double maxScoreDifference) {
        public double agreement() {
            return compared == 0 ? 1.0 : (double) agreeing / compared;
        }
    }

    private InferenceParity() {}

    public static Result run(ModelInfo model, GpuContext ctx, Precision precision, int engineMaxBatch, int images, float scoreTolerance) {
        int batch = 8, h = model.inputHeight(), w = model.inputWidth();
        NormalizeSpec norm = model.kind() == ModelInfo.Kind.CLASSIFIER ? NormalizeSpec.IMAGENET : NormalizeSpec.UNIT;
        HostTensor in = HostTensor.allocate(batch, 3, h, w);
        HostTensor cpuOut = outputTensor(model, batch);
        int agreeing = 0, compared = 0;
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
                        List<FrameOutput.ClassScore> c = top.select(cpuOut.data(), off), g = top.select(gpuOut, off);
                        compared++;
                        agreeing += c.get(0).classId() == g.get(0).classId() ? 1 : 0;
                        maxDiff = Math.max(maxDiff, Math.abs(c.get(0).score() - g.get(0).score()));
                    } else {
                        LetterboxGeometry geo = LetterboxGeometry.fit(w, h, w, h);
                        YoloDecoder dec = new YoloDecoder(model.numClasses(), model.anchors(), 0.25f, 0.45f, 300);
                        List<Detection> c = dec.decode(cpuOut.data(), off, geo);
                        List<Detection> g = new YoloDecoder(model.numClasses(), model.anchors(), 0.20f, 0.45f, 300).decode(gpuOut, off, geo);
                        for (Detection d : c) {
                            if (d.score() < 0.3f) {
                                continue;
                            }
                            compared++;
                            Detection best = null;
                            for (Detection x : g) {
                                if (x.classId() == d.classId() && (best == null || x.iou(d) > best.iou(d))) {
                                    best = x;
                                }
                            }
                            if (best != null && best.iou(d) >= 0.9f && Math.abs(best.score() - d.score()) <= scoreTolerance) {
                                agreeing++;
                                maxDiff = Math.max(maxDiff, Math.abs(best.score() - d.score()));
                            }
                        }
                    }
                }
            }
        }
        return new Result(images, agreeing, compared, maxDiff);
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
