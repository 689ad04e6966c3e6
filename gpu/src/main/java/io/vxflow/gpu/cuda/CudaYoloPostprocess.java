package io.vxflow.gpu.cuda;

/**
 * Detector postprocess on the GPU for a whole batch: per anchor the best class and threshold
 * (candidates gathered with atomics), then per image a sort by (score desc, anchor asc), greedy
 * class-aware NMS and the mapping of boxes to source pixels. The same rules and float arithmetic as
 * {@link io.vxflow.gpu.postprocess.YoloDecoder} and {@link io.vxflow.gpu.postprocess.Nms}, so boxes
 * and scores agree exactly with the CPU reference on the same model output.
 *
 * <p>Detections stay in device memory ({@code [image][maxDetections][x1, y1, x2, y2, score,
 * class]} and a count per image) for crop and compose. Limitations: at most 4096 candidates per image
 * above the threshold (more are dropped, unlike the CPU reference) and at most 256 detections kept.
 * Enqueues only.
 */
public final class CudaYoloPostprocess {
    /** Floats per kept detection in device memory: x1, y1, x2, y2, score, class. */
    public static final int DETECTION_FIELDS = Kernels.DET_FIELDS;

    private final CudaKernel candidates;
    private final CudaKernel nms;
    private final int numClasses;
    private final int anchors;
    private final float confidence;
    private final float iou;
    private final int maxDetections;

    public CudaYoloPostprocess(KernelModule module, int numClasses, int anchors, float confidence, float iou, int maxDetections) {
        if (maxDetections > Kernels.MAX_DETECTIONS) {
            throw new IllegalArgumentException("the GPU postprocess keeps at most " + Kernels.MAX_DETECTIONS + " detections per frame");
        }
        this.candidates = module.kernel("vx_yolo_candidates");
        this.nms = module.kernel("vx_nms");
        this.numClasses = numClasses;
        this.anchors = anchors;
        this.confidence = confidence;
        this.iou = iou;
        this.maxDetections = maxDetections;
    }

    /** Bytes of candidate scratch one image needs. */
    public static long candidateBytes() {
        return (long) Kernels.MAX_CANDIDATES * 7 * Float.BYTES;
    }

    /**
     * @param output model output {@code [n][4+C][A]} float32
     * @param candidateScratch {@code n * candidateBytes()} bytes
     * @param candidateCounts n ints, zero before the first call (the kernel leaves them zero)
     * @param geometry n x 6 ints: source width, height, content width, height, pad x, pad y
     * @param detections n x maxDetections x 6 floats
     * @param detectionCounts n ints
     */
    public void run(GpuContext ctx, long output, int n, long candidateScratch, long candidateCounts, long geometry, long detections,
            long detectionCounts) {
        candidates.ptr(output).i32(numClasses).i32(anchors).f32(confidence).ptr(candidateScratch).ptr(candidateCounts);
        candidates.launch(ctx, CudaKernel.blocks(anchors, 256), n, 1, 256, 1, 0);
        nms.ptr(candidateScratch).ptr(candidateCounts).f32(iou).i32(maxDetections).ptr(geometry).ptr(detections).ptr(detectionCounts);
        nms.launch(ctx, n, 1, 1, 1024, 1, 0);
    }

    public int maxDetections() {
        return maxDetections;
    }
}
