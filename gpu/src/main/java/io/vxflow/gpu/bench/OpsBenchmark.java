package io.vxflow.gpu.bench;

import io.vxflow.codec.AccessUnit;
import io.vxflow.gpu.cpu.CpuLetterboxPad;
import io.vxflow.gpu.cpu.CpuNormalize;
import io.vxflow.gpu.cpu.CpuResize;
import io.vxflow.gpu.cuda.CudaCompose;
import io.vxflow.gpu.cuda.CudaCrop;
import io.vxflow.gpu.cuda.CudaLetterboxPad;
import io.vxflow.gpu.cuda.CudaNormalize;
import io.vxflow.gpu.cuda.CudaResize;
import io.vxflow.gpu.cuda.CudaYoloPostprocess;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.HostUploads;
import io.vxflow.gpu.cuda.KernelModule;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.ops.NormalizeSpec;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.gpu.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Microseconds per 1080p frame of each GPU operator at batch 1 and 32 (GPU time from CUDA events,
 * median of repetitions), its effective bandwidth (bytes of the frame or image read plus bytes
 * written, over time) against the device-to-device copy rate measured in the same run, and the same
 * preprocessing on one CPU core for the ratio.
 */
public final class OpsBenchmark {
    private static final int REPS = 15;

    private OpsBenchmark() {}

    public static void run(BenchReport report, int gpu) throws Exception {
        HostImage i420 = decodedFrame();
        try (GpuContext ctx = GpuContext.open(gpu); KernelModule m = KernelModule.vxflow(ctx); CudaTimer timer = new CudaTimer(ctx)) {
            report.machine("gpu", ctx.device().name() + " (" + ctx.device().arch() + ", " + ctx.device().multiprocessors() + " SMs, "
                    + ctx.device().totalMemory() / (1L << 30) + " GiB)");
            report.machine("cuda driver", Integer.toString(ctx.device().driverVersion()));
            double copyRate = copyRate(ctx, timer);
            report.add("ops", "device copy (ceiling)", Map.of("bytes", "2 GiB"), copyRate / 1e12, "TB/s");
            DeviceImage nv12 = HostUploads.upload(ctx, HostUploads.toNv12(i420));
            ColorSpec color = ColorSpec.BT709_LIMITED;
            LetterboxGeometry g = LetterboxGeometry.fit(1920, 1080, 640, 640);
            int batch = 32;
            DeviceImage[] contents = images(ctx, batch, 640, 640);
            DeviceImage[] canvases = images(ctx, batch, 640, 640);
            DeviceBuffer tensor = ctx.allocate(4L * batch * 3 * 640 * 640, "tensor");
            long item32 = 4L * 3 * 640 * 640, item16 = 2L * 3 * 640 * 640;
            long frameBytes = 1920L * 1080 * 3 / 2, contentBytes = 640L * 360 * 3, canvasBytes = 640L * 640 * 3;

            CudaResize resize = new CudaResize(m);
            measure(report, "resize NV12 1080p -> 640x360 RGB", frameBytes + contentBytes, copyRate, timer, batch,
                    i -> resize.run(ctx, nv12, color, Rect.ofSize(1920, 1080), contents[i], 0, 0, 640, 360));
            CudaLetterboxPad pad = new CudaLetterboxPad(m, 114);
            measure(report, "pad 640x360 -> 640x640", contentBytes + canvasBytes, copyRate, timer, batch,
                    i -> pad.run(ctx, contents[i], g, canvases[i]));
            CudaNormalize norm = new CudaNormalize(m, NormalizeSpec.UNIT, 114);
            measure(report, "normalize 640x640 -> fp16 planar", canvasBytes + item16, copyRate, timer, batch,
                    i -> norm.run(ctx, canvases[i], tensor.address() + i * item16, true));
            measure(report, "normalize 640x640 -> fp32 planar", canvasBytes + item32, copyRate, timer, batch,
                    i -> norm.run(ctx, canvases[i], tensor.address() + i * item32, false));
            measure(report, "fused resize+pad+normalize -> fp16", frameBytes + item16, copyRate, timer, batch,
                    i -> norm.runFused(ctx, nv12, color, g, tensor.address() + i * item16, true));

            DeviceBuffer dets = ctx.allocate(4L * 6 * 8, "dets");
            DeviceBuffer count = ctx.allocate(4, "count");
            uploadDetections(ctx, dets, count);
            DeviceBuffer crops = ctx.allocate(8L * 64 * 64 * 3, "crops");
            CudaCrop crop = new CudaCrop(m, 64, 8);
            measure(report, "crop 8 boxes -> 64x64 RGB", 8L * (160 * 160 * 3 / 2 + 64 * 64 * 3), copyRate, timer, batch,
                    i -> crop.run(ctx, nv12, color, dets.address(), count.address(), crops.address()));
            DeviceImage mosaic = images(ctx, 1, 1280, 720)[0];
            try (CudaCompose compose = new CudaCompose(ctx, m, 2)) {
                measure(report, "compose 320x180 tile + 8 boxes", frameBytes + 320L * 180 * 3, copyRate, timer, batch,
                        i -> compose.run(ctx, nv12, color, dets.address(), count.address(), mosaic, (i % 4) * 320, (i / 4 % 4) * 180, 320, 180));
            }
            postprocess(report, ctx, m, timer, copyRate);
        }
        cpuBaseline(report, i420);
    }

    private static void postprocess(BenchReport report, GpuContext ctx, KernelModule m, CudaTimer timer, double copyRate) {
        int batch = 32, anchors = 8400, classes = 80;
        DeviceBuffer out = ctx.allocate(4L * batch * (4 + classes) * anchors, "yolo output");
        ctx.fillAsync(out.address(), (byte) 0, out.size());
        DeviceBuffer cand = ctx.allocate(batch * CudaYoloPostprocess.candidateBytes(), "candidates");
        DeviceBuffer counts = ctx.allocate(4L * batch, "counts");
        ctx.fillAsync(counts.address(), (byte) 0, counts.size());
        DeviceBuffer geom = ctx.allocate(24L * batch, "geometry");
        ctx.fillAsync(geom.address(), (byte) 1, geom.size());
        DeviceBuffer dets = ctx.allocate(4L * batch * 100 * 6, "dets");
        DeviceBuffer detCount = ctx.allocate(4L * batch, "det count");
        CudaYoloPostprocess pp = new CudaYoloPostprocess(m, classes, anchors, 0.25f, 0.45f, 100);
        for (int b : new int[] {1, batch}) {
            double[] us = new double[REPS];
            for (int r = 0; r < REPS; r++) {
                timer.start();
                pp.run(ctx, out.address(), b, cand.address(), counts.address(), geom.address(), dets.address(), detCount.address());
                us[r] = timer.stopMillis() * 1000.0 / b;
            }
            double med = BenchReport.median(us);
            report.add("ops", "yolo decode+NMS [84,8400] (no candidates)", Map.of("batch", b), med, "us/frame");
        }
    }

    interface Op {
        void run(int index);
    }

    private static void measure(BenchReport report, String name, long bytesPerFrame, double copyRate, CudaTimer timer, int maxBatch, Op op) {
        for (int i = 0; i < 20; i++) {
            op.run(i % maxBatch);
        }
        for (int b : new int[] {1, maxBatch}) {
            double[] us = new double[REPS];
            for (int r = 0; r < REPS; r++) {
                timer.start();
                for (int i = 0; i < b; i++) {
                    op.run(i);
                }
                us[r] = timer.stopMillis() * 1000.0 / b;
            }
            double med = BenchReport.median(us);
            double bw = bytesPerFrame / (med * 1e-6);
            report.add("ops", name, Map.of("batch", b), med, "us/frame");
            report.add("ops", name, Map.of("batch", b, "of copy rate", String.format("%.1f%%", 100 * bw / copyRate)), bw / 1e9, "GB/s");
        }
    }

    private static double copyRate(GpuContext ctx, CudaTimer timer) {
        long bytes = 1L << 30;
        try (DeviceBuffer a = ctx.allocate(bytes, "copy a"); DeviceBuffer b = ctx.allocate(bytes, "copy b")) {
            double[] rate = new double[5];
            for (int r = 0; r < 5; r++) {
                timer.start();
                ctx.copyOnDeviceAsync(b.address(), a.address(), bytes);
                rate[r] = 2.0 * bytes / (timer.stopMillis() / 1000.0);
            }
            return BenchReport.median(rate);
        }
    }

    private static DeviceImage[] images(GpuContext ctx, int n, int w, int h) {
        DeviceImage[] out = new DeviceImage[n];
        for (int i = 0; i < n; i++) {
            DeviceBuffer b = ctx.allocate(3L * w * h, "rgb");
            out[i] = new DeviceImage(PixelFormat.RGB24, w, h, new long[] {b.address()}, new int[] {3 * w});
        }
        return out;
    }

    private static void uploadDetections(GpuContext ctx, DeviceBuffer dets, DeviceBuffer count) {
        io.vxflow.gpu.cuda.PinnedBuffer host = ctx.allocatePinned(dets.size() + 4);
        ByteBuffer v = host.view();
        for (int d = 0; d < 8; d++) {
            float x = 100 + 200 * d, y = 100 + 100 * d;
            float[] f = {x, y, x + 160, y + 160, 0.9f, d % 3};
            for (int k = 0; k < 6; k++) {
                v.putFloat(4 * (6 * d + k), f[k]);
            }
        }
        v.putInt((int) dets.size(), 8);
        ctx.copyToDeviceAsync(dets.address(), host.pointer(), dets.size());
        ctx.copyToDeviceAsync(count.address(), new org.bytedeco.javacpp.BytePointer(host.pointer()).position(dets.size()), 4);
        ctx.synchronize();
        host.close();
    }

    /** The same preprocessing on one CPU core: resize, pad and normalize of a 1080p frame. */
    private static void cpuBaseline(BenchReport report, HostImage i420) {
        LetterboxGeometry g = LetterboxGeometry.fit(1920, 1080, 640, 640);
        CpuResize resize = new CpuResize();
        CpuLetterboxPad pad = new CpuLetterboxPad(114);
        CpuNormalize norm = new CpuNormalize(NormalizeSpec.UNIT);
        HostImage content = HostImage.allocateRgb(640, 640), canvas = HostImage.allocateRgb(640, 640);
        HostTensor t = HostTensor.allocate(1, 3, 640, 640);
        double[] ms = new double[REPS];
        for (int r = -5; r < REPS; r++) {
            long t0 = System.nanoTime();
            resize.run(i420, ColorSpec.BT709_LIMITED, Rect.ofSize(1920, 1080), content, 0, 0, 640, 360);
            pad.run(content, g, canvas);
            norm.run(canvas, t.item(0));
            if (r >= 0) {
                ms[r] = (System.nanoTime() - t0) / 1000.0;
            }
        }
        report.add("ops", "CPU resize+pad+normalize (1 core, Java)", Map.of("batch", 1), BenchReport.median(ms), "us/frame");
    }

    static HostImage decodedFrame() throws Exception {
        List<AccessUnit> units = SyntheticVideoEncoder.encode(SyntheticVideoEncoder.Profile.BASELINE, 1);
        List<DecodedFrame> frames = new ArrayList<>();
        try (FfmpegSoftwareDecoder d = new FfmpegSoftwareDecoder(units.get(0).codec(), 1)) {
            d.decode(units.get(0), frames::add);
            d.drain(frames::add);
            HostImage src = (HostImage) frames.get(0).image();
            ByteBuffer[] planes = new ByteBuffer[3];
            int[] strides = new int[3];
            for (int p = 0; p < 3; p++) {
                planes[p] = ByteBuffer.allocate(src.plane(p).capacity());
                planes[p].put(src.plane(p).duplicate().clear());
                strides[p] = src.stride(p);
            }
            frames.get(0).release();
            return new HostImage(PixelFormat.I420, 1920, 1080, planes, strides);
        }
    }
}
