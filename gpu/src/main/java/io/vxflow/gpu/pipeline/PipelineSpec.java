package io.vxflow.gpu.pipeline;

import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.ops.NormalizeSpec;
import java.io.Serializable;

/**
 * Everything a task slot needs to build its runtime, fixed when the job is built and shipped to
 * every operator of the chain: backend, model, batching, pre- and post-processing parameters and the
 * limits the pools are sized for. Immutable.
 *
 * @param backend where to run; {@code AUTO} is resolved on each TaskManager
 * @param model the checked model
 * @param maxBatch images per inference batch, across the slot's streams
 * @param maxWaitMillis the longest a frame waits for its batch to fill
 * @param padValue letterbox grey level
 * @param normalize pixel normalization into the model input
 * @param fp16 GPU backend: half-precision batch tensors and engine (the CPU backend always uses fp32)
 * @param confidence detections below this score are dropped
 * @param iou same-class boxes overlapping more than this are suppressed
 * @param maxDetections per frame
 * @param topK classifiers: how many classes each result lists
 * @param cropSize side of the ROI thumbnails in pixels; 0 turns cropping off
 * @param maxCrops thumbnails per frame
 * @param mosaicTiles streams drawn into the mosaic with their boxes; 0 turns compose off
 * @param mosaicTileWidth width of one mosaic tile in pixels (16:9)
 * @param decodeOnCpu GPU backend: decode on the CPU and upload each frame once instead of NVDEC (the
 *     conventional pipeline, for comparison)
 * @param decodeThreads FFmpeg threads per software decoder
 * @param inferThreads ONNX Runtime threads per CPU inference
 * @param maxWidth widest frame the pools take
 * @param maxHeight tallest frame the pools take
 */
public record PipelineSpec(
        Backend backend,
        ModelInfo model,
        int maxBatch,
        long maxWaitMillis,
        int padValue,
        NormalizeSpec normalize,
        boolean fp16,
        float confidence,
        float iou,
        int maxDetections,
        int topK,
        int cropSize,
        int maxCrops,
        int mosaicTiles,
        int mosaicTileWidth,
        boolean decodeOnCpu,
        int decodeThreads,
        int inferThreads,
        int maxWidth,
        int maxHeight)
        implements Serializable {

    public PipelineSpec {
        require(maxBatch >= 1, "max batch must be at least 1");
        require(model.fixedBatch() == 0 || model.fixedBatch() == maxBatch,
                "model " + model.name() + " has a fixed batch of " + model.fixedBatch() + "; set the max batch to it");
        require(maxWaitMillis >= 0, "max wait must not be negative");
        require(confidence >= 0 && confidence <= 1, "confidence must be in [0, 1]");
        require(iou >= 0 && iou <= 1, "IoU threshold must be in [0, 1]");
        require(maxDetections >= 1, "max detections must be at least 1");
        require(cropSize >= 0 && maxCrops >= 0, "crop size and count must not be negative");
        require(mosaicTiles >= 0 && mosaicTileWidth >= 16, "mosaic tiles must not be negative, tiles at least 16 px wide");
        require(maxWidth >= 16 && maxHeight >= 16, "max frame size too small");
    }

    /** A builder with defaults: batch 8, 10 ms wait, YOLO grey 114, thresholds 0.25 and 0.45. */
    public static Builder builder(Backend backend, ModelInfo model) {
        return new Builder(backend, model);
    }

    /** A builder starting from this spec. */
    public Builder toBuilder() {
        Builder b = new Builder(backend, model);
        b.maxBatch = maxBatch;
        b.maxWaitMillis = maxWaitMillis;
        b.padValue = padValue;
        b.normalize = normalize;
        b.fp16 = fp16;
        b.confidence = confidence;
        b.iou = iou;
        b.maxDetections = maxDetections;
        b.topK = topK;
        b.cropSize = cropSize;
        b.maxCrops = maxCrops;
        b.mosaicTiles = mosaicTiles;
        b.mosaicTileWidth = mosaicTileWidth;
        b.decodeOnCpu = decodeOnCpu;
        b.decodeThreads = decodeThreads;
        b.inferThreads = inferThreads;
        b.maxWidth = maxWidth;
        b.maxHeight = maxHeight;
        return b;
    }

    /** This spec with the model read from {@code path} (a TaskManager's local copy of the same file). */
    public PipelineSpec withModelPath(String path) {
        return new PipelineSpec(backend, model.withPath(path), maxBatch, maxWaitMillis, padValue, normalize, fp16, confidence, iou,
                maxDetections, topK, cropSize, maxCrops, mosaicTiles, mosaicTileWidth, decodeOnCpu, decodeThreads, inferThreads, maxWidth,
                maxHeight);
    }

    public boolean cropsEnabled() {
        return cropSize > 0 && maxCrops > 0 && model.kind() == ModelInfo.Kind.YOLO_DETECTOR;
    }

    public boolean composeEnabled() {
        return mosaicTiles > 0;
    }

    /** Whether decoded frames must live past resize (crop and compose read them after inference). */
    public boolean keepsFrames() {
        return cropsEnabled() || composeEnabled();
    }

    public int mosaicTileHeight() {
        return mosaicTileWidth * 9 / 16;
    }

    /** Tiles per mosaic row: the mosaic is as square as the tile count allows. */
    public int mosaicColumns() {
        return Math.max(1, (int) Math.ceil(Math.sqrt(mosaicTiles)));
    }

    /** Width and height of the mosaic canvas in pixels; {0, 0} when compose is off. */
    public int[] mosaicSize() {
        if (!composeEnabled()) {
            return new int[] {0, 0};
        }
        int rows = (mosaicTiles + mosaicColumns() - 1) / mosaicColumns();
        return new int[] {mosaicColumns() * mosaicTileWidth, rows * mosaicTileHeight()};
    }

    /** Top-left pixel of mosaic tile {@code tile}. */
    public int[] mosaicTileOrigin(int tile) {
        return new int[] {(tile % mosaicColumns()) * mosaicTileWidth, (tile / mosaicColumns()) * mosaicTileHeight()};
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Builds a {@link PipelineSpec}; every setter has a default. */
    public static final class Builder {
        private Backend backend;
        private final ModelInfo model;
        private int maxBatch;
        private long maxWaitMillis = 10;
        private int padValue = 114;
        private NormalizeSpec normalize;
        private boolean fp16 = true;
        private float confidence = 0.25f;
        private float iou = 0.45f;
        private int maxDetections = 100;
        private int topK = 5;
        private int cropSize = 0;
        private int maxCrops = 8;
        private int mosaicTiles = 0;
        private int mosaicTileWidth = 320;
        private boolean decodeOnCpu;
        private int decodeThreads = 1;
        private int inferThreads = 1;
        private int maxWidth = 4096;
        private int maxHeight = 2304;

        private Builder(Backend backend, ModelInfo model) {
            this.backend = backend;
            this.model = model;
            this.maxBatch = model.fixedBatch() > 0 ? model.fixedBatch() : 8;
            this.normalize = model.kind() == ModelInfo.Kind.CLASSIFIER ? NormalizeSpec.IMAGENET : NormalizeSpec.UNIT;
        }

        public Builder backend(Backend b) { this.backend = b; return this; }
        public Builder maxBatch(int n) { this.maxBatch = n; return this; }
        public Builder maxWaitMillis(long ms) { this.maxWaitMillis = ms; return this; }
        public Builder padValue(int v) { this.padValue = v; return this; }
        public Builder normalize(NormalizeSpec n) { this.normalize = n; return this; }
        public Builder fp16(boolean half) { this.fp16 = half; return this; }
        public Builder thresholds(float conf, float iouThreshold) { this.confidence = conf; this.iou = iouThreshold; return this; }
        public Builder maxDetections(int n) { this.maxDetections = n; return this; }
        public Builder topK(int k) { this.topK = k; return this; }
        public Builder crops(int size, int max) { this.cropSize = size; this.maxCrops = max; return this; }
        public Builder mosaic(int tiles, int tileWidth) { this.mosaicTiles = tiles; this.mosaicTileWidth = tileWidth; return this; }
        public Builder decodeOnCpu(boolean cpu) { this.decodeOnCpu = cpu; return this; }
        public Builder threads(int decode, int infer) { this.decodeThreads = decode; this.inferThreads = infer; return this; }
        public Builder maxFrame(int w, int h) { this.maxWidth = w; this.maxHeight = h; return this; }

        public PipelineSpec build() {
            return new PipelineSpec(backend, model, maxBatch, maxWaitMillis, padValue, normalize, fp16, confidence, iou,
                    maxDetections, topK, cropSize, maxCrops, mosaicTiles, mosaicTileWidth, decodeOnCpu, decodeThreads, inferThreads,
                    maxWidth, maxHeight);
        }
    }
}
