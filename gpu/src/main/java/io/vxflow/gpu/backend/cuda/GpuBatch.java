package io.vxflow.gpu.backend.cuda;

import static io.vxflow.gpu.cuda.CudaYoloPostprocess.DETECTION_FIELDS;

import io.vxflow.gpu.cuda.CudaYoloPostprocess;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.PinnedBuffer;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchPool;
import io.vxflow.gpu.pipeline.PipelineSpec;
import java.nio.ByteBuffer;

/**
 * A GPU batch: every device buffer one inference batch needs, allocated once when the slot opens:
 * the input tensor normalize writes into (fp16 or fp32), the model output, NMS scratch, the letterbox
 * geometry of each item (staged in pinned memory, uploaded with the batch), the results, and the
 * pinned host buffer they are copied into.
 *
 * <p>Results live in ONE device region laid out as {@code counts[maxBatch]} ints, {@code
 * dets[maxBatch][maxDetections][6]} floats, {@code crops[maxBatch][maxCrops][size][size][3]} bytes,
 * then {@code topk[maxBatch][k][2]} floats, mirrored in {@link #host}: a detector batch's boxes and
 * thumbnails come back in one contiguous copy, a classifier batch's classes in another.
 */
final class GpuBatch extends Batch {
    final long inputItemBytes;
    final long outputItemBytes;
    final DeviceBuffer input;
    final DeviceBuffer output;
    final DeviceBuffer candidates;
    final DeviceBuffer candidateCounts;
    final DeviceBuffer geometry;
    final PinnedBuffer geometryHost;
    /** counts, detections, crops and top-k, in that order (see the class comment). */
    final DeviceBuffer results;
    final PinnedBuffer host;
    final int maxDetections;
    final int topkSize;
    final long cropItemBytes;
    private final long cropsOffset;
    private final long topkOffset;
    boolean postprocessed;
    boolean read;

    GpuBatch(GpuContext ctx, PipelineSpec spec, BatchPool pool, boolean halfInput, int maxDetections, int topkSize) {
        super(spec.maxBatch(), pool);
        ModelInfo m = spec.model();
        int cap = spec.maxBatch();
        this.maxDetections = maxDetections;
        this.topkSize = topkSize;
        inputItemBytes = 3L * m.inputHeight() * m.inputWidth() * (halfInput ? 2 : 4);
        outputItemBytes = (long) m.outputSize() * Float.BYTES;
        input = ctx.allocate(inputItemBytes * cap, "batch input");
        output = ctx.allocate(outputItemBytes * cap, "batch output");
        boolean detector = m.kind() == ModelInfo.Kind.YOLO_DETECTOR;
        candidates = ctx.allocate(detector ? CudaYoloPostprocess.candidateBytes() * cap : 1, "nms candidates");
        candidateCounts = ctx.allocate((long) cap * Integer.BYTES, "nms candidate counts");
        ctx.fillAsync(candidateCounts.address(), (byte) 0, candidateCounts.size());
        geometry = ctx.allocate(6L * cap * Integer.BYTES, "letterbox geometry");
        geometryHost = ctx.allocatePinned(geometry.size());
        cropItemBytes = spec.cropsEnabled() ? (long) spec.maxCrops() * spec.cropSize() * spec.cropSize() * 3 : 0;
        cropsOffset = detectionBytes(cap);
        topkOffset = cropsOffset + cropItemBytes * cap;
        long total = topkOffset + (long) cap * topkSize * 2 * Float.BYTES;
        results = ctx.allocate(total, "results");
        ctx.fillAsync(results.address(), (byte) 0, results.size());
        host = ctx.allocatePinned(total);
    }

    /** Bytes of the counts and the detections of {@code n} items (the region's prefix). */
    long detectionBytes(int n) {
        return (long) capacity() * Integer.BYTES + (long) n * maxDetections * DETECTION_FIELDS * Float.BYTES;
    }

    long inputItem(int i) {
        return input.address() + i * inputItemBytes;
    }

    long detectionCount(int i) {
        return results.address() + (long) i * Integer.BYTES;
    }

    long detections(int i) {
        return results.address() + (long) capacity() * Integer.BYTES + (long) i * maxDetections * DETECTION_FIELDS * Float.BYTES;
    }

    long crops(int i) {
        return results.address() + cropsOffset + i * cropItemBytes;
    }

    long topk() {
        return results.address() + topkOffset;
    }

    void stageGeometry(int i, LetterboxGeometry g) {
        ByteBuffer b = geometryHost.view();
        int o = i * 6 * Integer.BYTES;
        b.putInt(o, g.srcWidth()).putInt(o + 4, g.srcHeight()).putInt(o + 8, g.contentWidth()).putInt(o + 12, g.contentHeight())
                .putInt(o + 16, g.padX()).putInt(o + 20, g.padY());
    }

    /** Host offset of item {@code i}'s thumbnails in {@link #host}. */
    long hostCropsOffset(int i) {
        return cropsOffset + i * cropItemBytes;
    }

    /** Host (and device) offset of the top-k region. */
    long topkOffset() {
        return topkOffset;
    }

    /**
     * The one copy that brings this batch's results to the host: for a detector, counts and boxes
     * (and, with crops on, every item's thumbnails, which lie right after all the boxes); for a
     * classifier, the top-k classes of its items.
     */
    void copyResults(GpuContext ctx, boolean detector) {
        int n = size();
        if (detector) {
            long bytes = cropItemBytes > 0 ? cropsOffset + n * cropItemBytes : detectionBytes(n);
            ctx.copyToHostAsync(host, 0, results.address(), bytes);
        } else {
            ctx.copyToHostAsync(host, topkOffset, topk(), (long) n * topkSize * 2 * Float.BYTES);
        }
    }
}
