package io.vxflow.gpu.backend.cuda;

import static io.vxflow.gpu.cuda.CudaYoloPostprocess.DETECTION_FIELDS;

import io.vxflow.codec.Codec;
import io.vxflow.gpu.cuda.CloseAll;
import io.vxflow.gpu.cuda.CudaCompose;
import io.vxflow.gpu.cuda.CudaCrop;
import io.vxflow.gpu.cuda.CudaLetterboxPad;
import io.vxflow.gpu.cuda.CudaNormalize;
import io.vxflow.gpu.cuda.CudaResize;
import io.vxflow.gpu.cuda.CudaTopK;
import io.vxflow.gpu.cuda.CudaYoloPostprocess;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.KernelModule;
import io.vxflow.gpu.cuda.PinnedBuffer;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.NvdecDecoder;
import io.vxflow.gpu.decode.NvdecDevice;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchItem;
import io.vxflow.gpu.pipeline.BatchPool;
import io.vxflow.gpu.pipeline.FrameOutput;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.gpu.postprocess.ClassScore;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.trt.Precision;
import io.vxflow.gpu.trt.TensorDataType;
import io.vxflow.gpu.trt.TensorRtContext;
import io.vxflow.gpu.trt.TensorRtEngine;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The GPU backend of one slot: a {@link GpuContext} (the device's primary context and one stream),
 * NVDEC decoders for the slot's streams, the CUDA kernels, a TensorRT execution context on the shared
 * engine, and every buffer, allocated here, in the constructor. Every stage only enqueues on the
 * slot's stream; the first {@link #read} of a batch copies all of its results to pinned host memory
 * in one copy (boxes and every item's crop thumbnails together) and is the one place the host waits,
 * once per batch, on an event rather than the whole stream (decode workers keep enqueueing NVDEC
 * output copies on the same stream meanwhile).
 *
 * <p>Threads: the task thread calls the stages; the slot's decode workers call {@link #openDecoder}
 * and drive the decoders it returns.
 */
public final class GpuSlotRuntime implements SlotRuntime {
    private final PipelineSpec spec;
    private final GpuContext ctx;
    private final KernelModule module;
    private final NvdecDevice nvdec;
    private final TensorRtEngine engine;
    private final TensorRtContext trt;
    private final boolean half;
    private final CudaResize resize;
    private final CudaLetterboxPad pad;
    private final CudaNormalize normalize;
    private final CudaYoloPostprocess yolo;
    private final CudaTopK topK;
    private final CudaCrop crop;
    private final CudaCompose compose;
    private final DeviceImage content;
    private final DeviceImage canvas;
    private final DeviceImage mosaic;
    private final PinnedBuffer mosaicHost;
    private final BatchPool batches;
    private boolean closed;

    public GpuSlotRuntime(PipelineSpec spec, int gpu) {
        this.spec = spec;
        ModelInfo m = spec.model();
        ctx = GpuContext.open(gpu);
        // what is open so far, newest first: a failure part way closes exactly that
        Deque<AutoCloseable> opened = new ArrayDeque<>();
        opened.push(ctx::close);
        try {
            module = KernelModule.vxflow(ctx);
            opened.push(module::close);
            engine = TensorRtEngine.acquire(m, ctx.device(), Precision.of(spec.fp16()), spec.maxBatch());
            opened.push(engine::close);
            trt = engine.newContext(ctx);
            opened.push(trt::close);
            half = engine.inputType() == TensorDataType.FLOAT16;
            nvdec = new NvdecDevice(ctx);
            opened.push(nvdec::close);
            resize = new CudaResize(module);
            pad = new CudaLetterboxPad(module, spec.padValue());
            normalize = new CudaNormalize(module, spec.normalize(), spec.padValue());
            boolean detector = m.kind() == ModelInfo.Kind.YOLO_DETECTOR;
            yolo = detector ? new CudaYoloPostprocess(module, m.numClasses(), m.anchors(), spec.confidence(), spec.iou(), spec.maxDetections()) : null;
            topK = detector ? null : new CudaTopK(module, m.numClasses(), spec.topK());
            crop = spec.cropsEnabled() ? new CudaCrop(module, spec.cropSize(), spec.maxCrops()) : null;
            compose = spec.composeEnabled() ? new CudaCompose(ctx, module, 2) : null;
            if (compose != null) {
                opened.push(compose::close);
            }
            content = rgbImage(m.inputWidth(), m.inputHeight(), "resize output");
            canvas = rgbImage(m.inputWidth(), m.inputHeight(), "letterbox canvas");
            int[] ms = spec.mosaicSize();
            mosaic = spec.composeEnabled() ? rgbImage(ms[0], ms[1], "mosaic") : null;
            mosaicHost = spec.composeEnabled() ? ctx.allocatePinned(3L * ms[0] * ms[1]) : null;
            int maxDet = detector ? spec.maxDetections() : 0;
            int k = topK != null ? topK.k() : 0;
            batches = new BatchPool(2, pool -> new GpuBatch(ctx, spec, pool, half, maxDet, k));
            ctx.synchronize();
        } catch (RuntimeException | Error e) {
            RuntimeException cleanup = CloseAll.closeAll(opened);
            if (cleanup != null) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private DeviceImage rgbImage(int w, int h, String label) {
        DeviceBuffer b = ctx.allocate(3L * w * h, label);
        return new DeviceImage(PixelFormat.RGB24, w, h, new long[] {b.address()}, new int[] {3 * w});
    }

    /** The slot's GPU context, for tests and benchmarks. */
    public GpuContext context() {
        return ctx;
    }

    @Override
    public PipelineSpec spec() {
        return spec;
    }

    @Override
    public Backend backend() {
        return Backend.GPU;
    }

    @Override
    public VideoDecoder openDecoder(Codec codec) {
        // frames outlive resize only when crop or compose read them after inference
        int held = spec.keepsFrames() ? spec.maxBatch() + 4 : 4;
        // beyond NVDEC's surface budget, FFmpeg's output pool grows on demand (once) instead
        int extra = Math.min(held, NvdecDecoder.MAX_EXTRA_FRAMES);
        return spec.decodeOnCpu() ? NvdecDecoder.softwareThenUpload(nvdec, codec, extra, spec.decodeThreads())
                : new NvdecDecoder(nvdec, codec, extra);
    }

    @Override
    public Image resize(DecodedFrame frame, LetterboxGeometry g) {
        ctx.makeCurrent();
        resize.run(ctx, (DeviceImage) frame.image(), frame.colorSpec(), Rect.ofSize(g.srcWidth(), g.srcHeight()), content, 0, 0,
                g.contentWidth(), g.contentHeight());
        return content;
    }

    @Override
    public Image pad(Image contentImage, LetterboxGeometry g) {
        pad.run(ctx, (DeviceImage) contentImage, g, canvas);
        return canvas;
    }

    @Override
    public BatchItem normalize(Image canvasImage, LetterboxGeometry g) {
        BatchItem item = batches.reserve();
        GpuBatch b = batch(item);
        normalize.run(ctx, (DeviceImage) canvasImage, b.inputItem(item.index()), half);
        b.stageGeometry(item.index(), g);
        return item;
    }

    @Override
    public Batch filling() {
        return batches.filling();
    }

    @Override
    public Batch infer() {
        GpuBatch b = (GpuBatch) batches.takeFilling();
        if (b == null) {
            return null;
        }
        ctx.makeCurrent();
        ctx.copyToDeviceAsync(b.geometry.address(), b.geometryHost.pointer(), 6L * b.size() * Integer.BYTES);
        int n = spec.model().fixedBatch() > 0 ? spec.model().fixedBatch() : b.size();
        trt.enqueue(b.input.address(), b.output.address(), n);
        b.postprocessed = false;
        b.read = false;
        return b;
    }

    @Override
    public void postprocess(BatchItem item, LetterboxGeometry g) {
        GpuBatch b = batch(item);
        if (b.postprocessed) {
            return; // the whole batch is postprocessed by its first item
        }
        if (yolo != null) {
            yolo.run(ctx, b.output.address(), b.size(), b.candidates.address(), b.candidateCounts.address(), b.geometry.address(),
                    b.detections(0), b.detectionCount(0));
        } else {
            topK.run(ctx, b.output.address(), b.size(), b.topk());
        }
        b.postprocessed = true;
    }

    @Override
    public void crop(BatchItem item, DecodedFrame frame) {
        if (crop != null) {
            GpuBatch b = batch(item);
            int i = item.index();
            crop.run(ctx, (DeviceImage) frame.image(), frame.colorSpec(), b.detections(i), b.detectionCount(i), b.crops(i));
        }
    }

    @Override
    public void compose(BatchItem item, DecodedFrame frame, int tile) {
        if (compose == null || tile < 0 || tile >= spec.mosaicTiles()) {
            return;
        }
        GpuBatch b = batch(item);
        int i = item.index();
        int[] at = spec.mosaicTileOrigin(tile);
        compose.run(ctx, (DeviceImage) frame.image(), frame.colorSpec(), b.detections(i), b.detectionCount(i), mosaic, at[0], at[1],
                spec.mosaicTileWidth(), spec.mosaicTileHeight());
    }

    @Override
    public FrameOutput read(BatchItem item) {
        GpuBatch b = batch(item);
        if (!b.read) {
            // every item's crops were enqueued before the first read (the result stage reads a whole batch at once)
            b.copyResults(ctx, yolo != null);
            ctx.awaitStream();
            b.read = true;
        }
        return output(b, item.index());
    }

    private FrameOutput output(GpuBatch b, int i) {
        ByteBuffer h = b.host.view();
        List<Detection> dets = List.of();
        List<ClassScore> classes = List.of();
        List<byte[]> thumbs = List.of();
        if (yolo != null) {
            int count = h.getInt(i * Integer.BYTES);
            dets = new ArrayList<>(count);
            long base = (long) b.capacity() * Integer.BYTES + (long) i * b.maxDetections * DETECTION_FIELDS * Float.BYTES;
            for (int d = 0; d < count; d++) {
                int o = (int) (base + (long) d * DETECTION_FIELDS * Float.BYTES);
                dets.add(new Detection((int) h.getFloat(o + 20), h.getFloat(o + 16), h.getFloat(o), h.getFloat(o + 4), h.getFloat(o + 8),
                        h.getFloat(o + 12)));
            }
            if (crop != null) {
                int n = Math.min(count, spec.maxCrops());
                int bytes = spec.cropSize() * spec.cropSize() * 3;
                thumbs = new ArrayList<>(n);
                for (int c = 0; c < n; c++) {
                    byte[] t = new byte[bytes];
                    h.get((int) (b.hostCropsOffset(i) + (long) c * bytes), t);
                    thumbs.add(t);
                }
            }
        } else {
            classes = new ArrayList<>(b.topkSize);
            for (int r = 0; r < b.topkSize; r++) {
                int o = (int) (b.topkOffset() + ((long) i * b.topkSize + r) * 2 * Float.BYTES);
                classes.add(new ClassScore((int) h.getFloat(o), h.getFloat(o + 4)));
            }
        }
        return new FrameOutput(dets, classes, thumbs, spec.cropSize());
    }

    @Override
    public byte[] mosaicRgb() {
        if (mosaic == null) {
            return new byte[0];
        }
        long bytes = mosaicHost.size();
        ctx.copyToHostAsync(mosaicHost, 0, mosaic.plane(0), bytes);
        ctx.awaitStream();
        byte[] out = new byte[(int) bytes];
        mosaicHost.view().get(0, out);
        return out;
    }

    private static GpuBatch batch(BatchItem item) {
        return (GpuBatch) item.batch();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // after a sticky CUDA error the synchronize throws: everything is still released, and the error reported
        List<AutoCloseable> steps = new ArrayList<>();
        steps.add(() -> {
            ctx.makeCurrent();
            ctx.synchronize();
        });
        steps.add(trt::close);
        steps.add(engine::close);
        steps.add(nvdec::close);
        if (compose != null) {
            steps.add(compose::close);
        }
        steps.add(module::close);
        steps.add(ctx::close);
        RuntimeException failure = CloseAll.closeAll(steps);
        if (failure != null) {
            throw failure;
        }
    }
}
