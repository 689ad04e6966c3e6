package io.vxflow.gpu.bench;

import io.vxflow.codec.AccessUnit;
import io.vxflow.gpu.cuda.CudaNormalize;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.KernelModule;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import io.vxflow.gpu.decode.NvdecDecoder;
import io.vxflow.gpu.decode.NvdecDevice;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.ops.NormalizeSpec;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * NVDEC aggregate decode rate for N concurrent 1080p30 H.264 streams (the synthetic clip, OpenH264
 * at 4 Mbit/s, like the ceiling measured with plain FFmpeg): streams spread over slots, one thread
 * and one {@link GpuContext} (stream) per slot as in the job, every frame released at once; then the
 * same with the fused resize+pad+normalize kernel on each frame (the GPU front end); and FFmpeg
 * software decoding on one core, for the ratio.
 */
public final class DecodeBenchmark {
    private DecodeBenchmark() {}

    public static void run(BenchReport report, int gpu, int[] streamCounts, int maxSlots, int framesPerStream) throws Exception {
        List<AccessUnit> clip = SyntheticVideoEncoder.encode(SyntheticVideoEncoder.Profile.BASELINE, 300);
        io.vxflow.gpu.cuda.GpuDevice dev = io.vxflow.gpu.cuda.Cuda.device(gpu);
        report.machine("gpu", dev.name() + " (" + dev.arch() + ", driver API " + dev.driverVersion() + ")");
        report.machine("decode clip", "synthetic 1080p30 H.264 constrained baseline (OpenH264), 300 frames, GOP 30, 4 Mbit/s");
        for (boolean preprocess : new boolean[] {false, true}) {
            for (int streams : streamCounts) {
                int slots = Math.min(streams, maxSlots);
                double fps = measure(gpu, clip, streams, slots, framesPerStream, preprocess);
                report.add("decode", preprocess ? "NVDEC + fused preprocess to fp16" : "NVDEC decode", Map.of("streams", streams, "slots", slots),
                        fps, "frames/s");
            }
        }
        report.add("decode", "FFmpeg software decode (1 core)", Map.of("streams", 1), cpuFps(clip), "frames/s");
        opens(report, gpu, clip, 1, 16);
        opens(report, gpu, clip, Math.min(16, maxSlots), 8);
        drainPerGop(report, gpu, clip);
    }

    /**
     * What a joining stream costs: {@code threads} threads (one context each, as the job's decode
     * workers) open {@code perThread} NVDEC decoders each, all at once, and decode each one's first
     * keyframe; the decoders stay open until the end, as the streams of a starting job do. Reports the
     * median and the slowest open (decoder set-up and first picture) and opens per second overall,
     * from the start to the last open's end (closing them is not counted).
     */
    private static void opens(BenchReport report, int gpu, List<AccessUnit> clip, int threads, int perThread) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Long> nanos = Collections.synchronizedList(new ArrayList<>());
        AtomicLong lastOpenEnd = new AtomicLong();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try (GpuContext ctx = GpuContext.open(gpu); NvdecDevice nvdec = new NvdecDevice(ctx)) {
                    List<VideoDecoder> open = new ArrayList<>();
                    try {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            long t0 = System.nanoTime();
                            VideoDecoder d = new NvdecDecoder(nvdec, clip.get(0).codec(), 4);
                            open.add(d);
                            d.decode(clip.get(0), DecodedFrame::release);
                            ctx.synchronize();
                            long end = System.nanoTime();
                            nanos.add(end - t0);
                            lastOpenEnd.accumulateAndGet(end, Math::max);
                        }
                    } finally {
                        open.forEach(VideoDecoder::close);
                    }
                } catch (Throwable e) {
                    errors.add(e);
                    start.reset();
                }
            }, "bench-open-" + t);
            all.add(th);
            th.start();
        }
        long t0 = 0;
        try {
            start.await(5, TimeUnit.MINUTES);
            t0 = System.nanoTime();
        } catch (BrokenBarrierException | TimeoutException e) {
            // a thread failed before the start (its error is reported below), or none came: the barrier releases them all
        } finally {
            for (Thread th : all) {
                th.join();
            }
        }
        if (!errors.isEmpty() || t0 == 0) {
            Throwable cause = errors.isEmpty() ? null : errors.get(0);
            throw new IllegalStateException("decoder open benchmark failed: " + (cause != null ? cause : "its threads did not start"), cause);
        }
        double seconds = (lastOpenEnd.get() - t0) / 1e9;
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        Map<String, Object> params = Map.of("threads", threads, "decoders", threads * perThread);
        report.add("decode", "NVDEC decoder open + first picture, median", params, sorted.get(sorted.size() / 2) / 1e6, "ms");
        report.add("decode", "NVDEC decoder open + first picture, slowest", params, sorted.get(sorted.size() - 1) / 1e6, "ms");
        report.add("decode", "NVDEC decoder opens, all threads at once", params, sorted.size() / seconds, "opens/s");
    }

    /**
     * What a drain (send end of stream, hand out the held pictures, flush) at every keyframe costs one
     * stream, against decoding straight through: FFmpeg's H.264 decoder sets itself up again after a
     * flush, NVDEC hwaccel included. Reported as frames/s both ways and milliseconds per drain.
     */
    private static void drainPerGop(BenchReport report, int gpu, List<AccessUnit> clip) throws Exception {
        try (GpuContext ctx = GpuContext.open(gpu); NvdecDevice nvdec = new NvdecDevice(ctx)) {
            double[] seconds = new double[2];
            int drains = 0;
            for (int pass = 0; pass < 3; pass++) { // pass 0 warms up
                boolean drainEachGop = pass == 2;
                try (VideoDecoder d = new NvdecDecoder(nvdec, clip.get(0).codec(), 4)) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < clip.size(); i++) {
                        if (drainEachGop && i > 0 && clip.get(i).keyframe()) {
                            d.drain(DecodedFrame::release);
                            drains++;
                        }
                        d.decode(clip.get(i), DecodedFrame::release);
                    }
                    d.drain(DecodedFrame::release);
                    ctx.synchronize();
                    if (pass > 0) {
                        seconds[pass - 1] = (System.nanoTime() - t0) / 1e9;
                    }
                }
            }
            report.add("decode", "NVDEC decode, one stream straight through", Map.of("frames", clip.size()), clip.size() / seconds[0], "frames/s");
            report.add("decode", "NVDEC decode, one stream drained at every keyframe", Map.of("frames", clip.size(), "drains", drains),
                    clip.size() / seconds[1], "frames/s");
            report.add("decode", "NVDEC drain at a keyframe, extra cost", Map.of("drains", drains), Math.max(0, seconds[1] - seconds[0]) * 1e3 / drains,
                    "ms per drain");
        }
    }

    private static double measure(int gpu, List<AccessUnit> clip, int streams, int slots, int frames, boolean preprocess) throws Exception {
        CyclicBarrier start = new CyclicBarrier(slots + 1);
        AtomicLong decoded = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            int mine = streams / slots + (s < streams % slots ? 1 : 0);
            Thread t = new Thread(() -> {
                try {
                    decoded.addAndGet(slot(gpu, clip, mine, frames, preprocess, start));
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
                    start.reset();
                }
            }, "bench-slot-" + s);
            threads.add(t);
            t.start();
        }
        start.await();
        long t0 = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!errors.isEmpty()) {
            throw new IllegalStateException("decode benchmark failed: " + errors.get(0), errors.get(0));
        }
        return decoded.get() / seconds;
    }

    /** One slot: its context, its decoders, round-robin over its streams' access units. */
    private static long slot(int gpu, List<AccessUnit> clip, int streams, int frames, boolean preprocess, CyclicBarrier start) throws Exception {
        try (GpuContext ctx = GpuContext.open(gpu); NvdecDevice nvdec = new NvdecDevice(ctx); KernelModule m = KernelModule.vxflow(ctx)) {
            List<VideoDecoder> decoders = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                decoders.add(new NvdecDecoder(nvdec, clip.get(0).codec(), 4));
            }
            CudaNormalize norm = new CudaNormalize(m, NormalizeSpec.UNIT, 114);
            DeviceBuffer tensor = ctx.allocate(2L * 3 * 640 * 640, "tensor");
            LetterboxGeometry g = LetterboxGeometry.fit(1920, 1080, 640, 640);
            long[] count = new long[1];
            Consumer<DecodedFrame> sink = f -> {
                if (preprocess) {
                    norm.runFused(ctx, (DeviceImage) f.image(), f.colorSpec(), g, tensor.address(), true);
                }
                f.release();
                count[0]++;
            };
            // warm up: open every decoder's NVDEC session before the clock starts
            for (VideoDecoder d : decoders) {
                d.decode(clip.get(0), sink);
            }
            count[0] = 0;
            start.await();
            for (int i = 1; i < frames; i++) {
                AccessUnit u = clip.get(i % clip.size());
                AccessUnit next = i % clip.size() == 0 ? new AccessUnit(u.codec(), u.ptsMicros() + i, true, u.data()) : u;
                for (VideoDecoder d : decoders) {
                    d.decode(next, sink);
                }
            }
            for (VideoDecoder d : decoders) {
                d.drain(sink);
                d.close();
            }
            ctx.synchronize();
            return count[0];
        }
    }

    private static double cpuFps(List<AccessUnit> clip) throws Exception {
        long[] n = new long[1];
        long t0 = 0;
        try (FfmpegSoftwareDecoder d = new FfmpegSoftwareDecoder(clip.get(0).codec(), 1)) {
            for (int pass = 0; pass < 2; pass++) {
                if (pass == 1) {
                    n[0] = 0;
                    t0 = System.nanoTime();
                }
                for (AccessUnit u : clip) {
                    d.decode(u, f -> {
                        f.release();
                        n[0]++;
                    });
                }
                d.drain(f -> {
                    f.release();
                    n[0]++;
                });
            }
        }
        return n[0] / ((System.nanoTime() - t0) / 1e9);
    }
}
