package io.vxflow.gpu.backend.cpu;

import io.vxflow.codec.Codec;
import io.vxflow.gpu.cpu.CpuCompose;
import io.vxflow.gpu.cpu.CpuCropResize;
import io.vxflow.gpu.cpu.CpuLetterboxPad;
import io.vxflow.gpu.cpu.CpuNormalize;
import io.vxflow.gpu.cpu.CpuResize;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.OnnxRuntimeEngine;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchItem;
import io.vxflow.gpu.pipeline.BatchPool;
import io.vxflow.gpu.pipeline.FrameOutput;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.gpu.postprocess.TopK;
import io.vxflow.gpu.postprocess.YoloDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU reference backend of one slot: FFmpeg software decoders, the CPU kernels, host tensors
 * and a shared ONNX Runtime engine. Every stage completes before it returns. All buffers are
 * allocated here, in the constructor.
 */
public final class CpuSlotRuntime implements SlotRuntime {
    private final PipelineSpec spec;
    private final OnnxRuntimeEngine engine;
    private final CpuResize resize = new CpuResize();
    private final CpuLetterboxPad pad;
    private final CpuNormalize normalize;
    private final HostImage content;
    private final HostImage canvas;
    private final BatchPool batches;
    private final YoloDecoder yolo;
    private final TopK topK;
    private final CpuCropResize crop;
    private final CpuCompose compose;
    private final HostImage mosaic;
    private boolean closed;

    public CpuSlotRuntime(PipelineSpec spec) {
        this.spec = spec;
        ModelInfo m = spec.model();
        this.engine = SharedOnnxEngines.acquire(m, spec.inferThreads());
        this.pad = new CpuLetterboxPad(spec.padValue());
        this.normalize = new CpuNormalize(spec.normalize());
        this.content = HostImage.allocateRgb(m.inputWidth(), m.inputHeight());
        this.canvas = HostImage.allocateRgb(m.inputWidth(), m.inputHeight());
        this.batches = new BatchPool(2, pool -> new CpuBatch(spec, pool));
        boolean detector = m.kind() == ModelInfo.Kind.YOLO_DETECTOR;
        this.yolo = detector ? new YoloDecoder(m.numClasses(), m.anchors(), spec.confidence(), spec.iou(), spec.maxDetections()) : null;
        this.topK = detector ? null : new TopK(m.numClasses(), spec.topK());
        this.crop = spec.cropsEnabled() ? new CpuCropResize(spec.cropSize(), spec.maxCrops()) : null;
        this.compose = spec.composeEnabled() ? new CpuCompose(2) : null;
        int[] ms = spec.mosaicSize();
        this.mosaic = spec.composeEnabled() ? HostImage.allocateRgb(ms[0], ms[1]) : null;
    }

    @Override
    public PipelineSpec spec() {
        return spec;
    }

    @Override
    public Backend backend() {
        return Backend.CPU;
    }

    @Override
    public VideoDecoder openDecoder(Codec codec) {
        return new FfmpegSoftwareDecoder(codec, spec.decodeThreads());
    }

    @Override
    public Image resize(DecodedFrame frame, LetterboxGeometry g) {
        resize.run((HostImage) frame.image(), frame.colorSpec(), io.vxflow.gpu.geometry.Rect.ofSize(g.srcWidth(), g.srcHeight()),
                content, 0, 0, g.contentWidth(), g.contentHeight());
        return content;
    }

    @Override
    public Image pad(Image contentImage, LetterboxGeometry g) {
        pad.run((HostImage) contentImage, g, canvas);
        return canvas;
    }

    @Override
    public BatchItem normalize(Image canvasImage, LetterboxGeometry g) {
        BatchItem item = batches.reserve();
        normalize.run((HostImage) canvasImage, batch(item).input.item(item.index()));
        return item;
    }

    @Override
    public Batch filling() {
        return batches.filling();
    }

    @Override
    public Batch infer() {
        Batch b = batches.takeFilling();
        if (b != null) {
            CpuBatch cb = (CpuBatch) b;
            if (spec.model().fixedBatch() > 0 && b.size() < spec.model().fixedBatch()) {
                engine.run(cb.input, cb.output, spec.model().fixedBatch()); // fixed-batch models run padded batches
            } else {
                engine.run(cb.input, cb.output, b.size());
            }
        }
        return b;
    }

    @Override
    public void postprocess(BatchItem item, LetterboxGeometry g) {
        CpuBatch b = batch(item);
        int i = item.index();
        if (yolo != null) {
            b.detections.set(i, yolo.decode(b.output.data(), i * b.output.itemSize(), g));
        } else {
            b.classes.set(i, topK.select(b.output.data(), i * b.output.itemSize()));
        }
    }

    @Override
    public void crop(BatchItem item, DecodedFrame frame) {
        if (crop == null) {
            return;
        }
        CpuBatch b = batch(item);
        int i = item.index();
        b.cropCount[i] = crop.run((HostImage) frame.image(), frame.colorSpec(), b.detections.get(i), b.crops[i]);
    }

    @Override
    public void compose(BatchItem item, DecodedFrame frame, int tile) {
        if (compose == null || tile < 0 || tile >= spec.mosaicTiles()) {
            return;
        }
        int[] at = spec.mosaicTileOrigin(tile);
        compose.run((HostImage) frame.image(), frame.colorSpec(), batch(item).detections.get(item.index()), mosaic, at[0], at[1],
                spec.mosaicTileWidth(), spec.mosaicTileHeight());
    }

    @Override
    public FrameOutput read(BatchItem item) {
        CpuBatch b = batch(item);
        int i = item.index();
        List<byte[]> thumbs = List.of();
        if (crop != null && b.cropCount[i] > 0) {
            int bytes = spec.cropSize() * spec.cropSize() * 3;
            thumbs = new ArrayList<>(b.cropCount[i]);
            ByteBuffer strip = b.crops[i].plane(0);
            for (int c = 0; c < b.cropCount[i]; c++) {
                byte[] t = new byte[bytes];
                strip.get(c * bytes, t);
                thumbs.add(t);
            }
        }
        return new FrameOutput(b.detections.get(i), b.classes.get(i), thumbs, spec.cropSize());
    }

    @Override
    public byte[] mosaicRgb() {
        if (mosaic == null) {
            return new byte[0];
        }
        byte[] out = new byte[mosaic.width() * mosaic.height() * 3];
        mosaic.plane(0).get(0, out);
        return out;
    }

    private static CpuBatch batch(BatchItem item) {
        return (CpuBatch) item.batch();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            batches.forEach(b -> engine.forget(((CpuBatch) b).input, ((CpuBatch) b).output));
            batches.free();
            SharedOnnxEngines.release(engine);
        }
    }
}
