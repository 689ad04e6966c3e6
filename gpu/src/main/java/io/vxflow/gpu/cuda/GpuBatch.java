package io.vxflow.gpu.cuda;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchPool;
import io.vxflow.gpu.pipeline.PipelineSpec;
import java.nio.ByteBuffer;

/**
 * A GPU batch: every device buffer one inference batch needs, allocated once when the slot opens:
 * the input tensor normalize writes into (fp16 or fp32), the model output, NMS scratch, the letterbox
 * geometry of each item (staged in pinned memory, uploaded with the batch), detections or top-k
 * classes, crop thumbnails, and the pinned host buffer results are copied into.
 *
 * <p>Result layout in device memory: {@code counts[maxBatch]} ints, then {@code
 * dets[maxBatch][maxDetections][6]} floats, contiguous, so a batch's detections come back in one copy.
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
    final DeviceBuffer results;
    final DeviceBuffer topk;
    final DeviceBuffer crops;
    final PinnedBuffer host;
    final int maxDetections;
    final int topkSize;
    final long cropItemBytes;
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
        results = ctx.allocate(resultsBytes(cap, cap), "detections");
        ctx.fillAsync(results.address(), (byte) 0, results.size());
        topk = ctx.allocate(Math.max(1, (long) cap * topkSize * 2 * Float.BYTES), "top-k");
        cropItemBytes = spec.cropsEnabled() ? (long) spec.maxCrops() * spec.cropSize() * spec.cropSize() * 3 : 0;
        crops = ctx.allocate(Math.max(1, cropItemBytes * cap), "crops");
        host = ctx.allocatePinned(resultsBytes(cap, cap) + topk.size() + cropItemBytes * cap);
    }

    long resultsBytes(int capacity, int n) {
        return (long) capacity * Integer.BYTES + (long) n * maxDetections * Kernels.DET_FIELDS * Float.BYTES;
    }

    long inputItem(int i) {
        return input.address() + i * inputItemBytes;
    }

    long detectionCount(int i) {
        return results.address() + (long) i * Integer.BYTES;
    }

    long detections(int i) {
        return results.address() + (long) capacity() * Integer.BYTES + (long) i * maxDetections * Kernels.DET_FIELDS * Float.BYTES;
    }

    long crops(int i) {
        return crops.address() + i * cropItemBytes;
    }

    void stageGeometry(int i, LetterboxGeometry g) {
        ByteBuffer b = geometryHost.view();
        int o = i * 6 * Integer.BYTES;
        b.putInt(o, g.srcWidth()).putInt(o + 4, g.srcHeight()).putInt(o + 8, g.contentWidth()).putInt(o + 12, g.contentHeight())
                .putInt(o + 16, g.padX()).putInt(o + 20, g.padY());
    }

    /** Host offset of the top-k region in {@link #host}. */
    long hostTopkOffset() {
        return resultsBytes(capacity(), capacity());
    }

    long hostCropsOffset() {
        return hostTopkOffset() + topk.size();
    }
}
