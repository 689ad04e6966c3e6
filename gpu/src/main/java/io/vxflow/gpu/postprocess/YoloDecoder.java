package io.vxflow.gpu.postprocess;

import io.vxflow.gpu.geometry.LetterboxGeometry;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU reference decoder for YOLOv8-style detector output: picks each anchor's best class,
 * drops anchors below the confidence threshold, runs class-aware {@link Nms}, keeps at most
 * {@code maxDetections} and maps the boxes from model-input pixels to source-frame pixels.
 *
 * <p><b>Layout.</b> One image's output is {@code [4 + C, A]} float32, row-major (row stride
 * {@code A}): rows 0..3 hold box centre x, centre y, width and height in model-input pixels,
 * rows {@code 4 .. 4+C-1} the score of each class (already activated, typically in [0, 1]). Value
 * (row {@code r}, anchor {@code a}) is at {@code offset + r * A + a}. For image {@code i} of a
 * batch output {@code [N, 4 + C, A]} pass {@code offset = i * }{@link #imageStride()}: the decoder
 * reads the caller's array or buffer in place (absolute gets) and copies nothing.
 *
 * <p><b>Rules.</b> An anchor's score is its maximum class score (the lowest class index wins ties,
 * NaN scores are ignored) and it is kept when {@code score >= confidenceThreshold}. NMS suppresses a box
 * when a better box of the same class overlaps it with IoU {@code > iouThreshold}; equal scores are
 * ordered by anchor index. Boxes are converted to {@code x1 = cx - w/2 ...} before NMS, which runs
 * in model space; mapping to source pixels clamps to the frame.
 *
 * <p><b>Owns</b> scratch arrays sized for {@code anchors}, reused by every call, so a call allocates
 * only the returned list and its detections (and, for the array overload, a buffer wrapper). Not thread-safe: one decoder per thread (per task slot).
 */
public final class YoloDecoder {
    private final int numClasses;
    private final int anchors;
    private final float confidenceThreshold;
    private final int maxDetections;
    private final Nms nms;
    private final float[] bestScore;
    private final int[] bestClass;
    private final float[] candidateBoxes;
    private final float[] candidateScores;
    private final int[] candidateClasses;
    private final int[] kept;

    /**
     * @param numClasses {@code C}, the number of score rows
     * @param anchors {@code A}, the row length (8400 for a 640 YOLOv8, 6400 for squares-640)
     * @param confidenceThreshold lowest best-class score kept (inclusive)
     * @param iouThreshold same-class IoU above which the lower-scored box is suppressed, in [0, 1]
     * @param maxDetections most detections returned per image
     */
    public YoloDecoder(int numClasses, int anchors, float confidenceThreshold, float iouThreshold, int maxDetections) {
        if (numClasses < 1 || anchors < 1 || maxDetections < 1) {
            throw new IllegalArgumentException("numClasses, anchors and maxDetections must be >= 1: "
                    + numClasses + ", " + anchors + ", " + maxDetections);
        }
        if (Float.isNaN(confidenceThreshold)) {
            throw new IllegalArgumentException("confidenceThreshold is NaN");
        }
        this.numClasses = numClasses;
        this.anchors = anchors;
        this.confidenceThreshold = confidenceThreshold;
        this.maxDetections = maxDetections;
        this.nms = new Nms(iouThreshold, anchors);
        this.bestScore = new float[anchors];
        this.bestClass = new int[anchors];
        this.candidateBoxes = new float[4 * anchors];
        this.candidateScores = new float[anchors];
        this.candidateClasses = new int[anchors];
        this.kept = new int[Math.min(maxDetections, anchors)];
    }

    /** Floats per image: {@code (4 + numClasses) * anchors}. */
    public int imageStride() {
        return (4 + numClasses) * anchors;
    }

    /** Decodes the image whose output starts at {@code output[offset]}. */
    public List<Detection> decode(float[] output, int offset, LetterboxGeometry geometry) {
        return decode(FloatBuffer.wrap(output), offset, geometry);
    }

    /**
     * Decodes the image whose output starts at absolute index {@code offset} of {@code output}
     * (indices count from the buffer's start, not its position; the image must end within its
     * limit; the buffer and its position are not modified). Detections come best first,
     * boxes in source-frame pixels of {@code geometry}.
     */
    public List<Detection> decode(FloatBuffer output, int offset, LetterboxGeometry geometry) {
        if (offset < 0 || offset > output.limit() - imageStride()) {
            throw new IndexOutOfBoundsException("image of " + imageStride() + " floats at " + offset
                    + " does not fit a buffer of limit " + output.limit());
        }
        bestClassPerAnchor(output, offset);
        int n = collectCandidates(output, offset);
        int count = nms.select(candidateBoxes, candidateScores, candidateClasses, n, maxDetections, kept);
        List<Detection> detections = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            detections.add(toSource(kept[k], geometry));
        }
        return detections;
    }

    /** Row by row, so the reads stay sequential; a NaN score never wins. */
    private void bestClassPerAnchor(FloatBuffer out, int offset) {
        int row = offset + 4 * anchors;
        for (int a = 0; a < anchors; a++) {
            float s = out.get(row + a);
            bestScore[a] = Float.isNaN(s) ? Float.NEGATIVE_INFINITY : s;
            bestClass[a] = 0;
        }
        for (int c = 1; c < numClasses; c++) {
            row += anchors;
            for (int a = 0; a < anchors; a++) {
                float s = out.get(row + a);
                if (s > bestScore[a]) {
                    bestScore[a] = s;
                    bestClass[a] = c;
                }
            }
        }
    }

    /** Candidates in anchor order, which is how {@link Nms} breaks score ties. */
    private int collectCandidates(FloatBuffer out, int offset) {
        int n = 0;
        for (int a = 0; a < anchors; a++) {
            if (!(bestScore[a] >= confidenceThreshold)) {
                continue;
            }
            float cx = out.get(offset + a);
            float cy = out.get(offset + anchors + a);
            float halfW = out.get(offset + 2 * anchors + a) / 2f;
            float halfH = out.get(offset + 3 * anchors + a) / 2f;
            int b = 4 * n;
            candidateBoxes[b] = cx - halfW;
            candidateBoxes[b + 1] = cy - halfH;
            candidateBoxes[b + 2] = cx + halfW;
            candidateBoxes[b + 3] = cy + halfH;
            candidateScores[n] = bestScore[a];
            candidateClasses[n] = bestClass[a];
            n++;
        }
        return n;
    }

    private Detection toSource(int i, LetterboxGeometry g) {
        int b = 4 * i;
        return new Detection(candidateClasses[i], candidateScores[i],
                g.toSourceX(candidateBoxes[b]), g.toSourceY(candidateBoxes[b + 1]),
                g.toSourceX(candidateBoxes[b + 2]), g.toSourceY(candidateBoxes[b + 3]));
    }
}
