package io.vxflow.gpu.postprocess;

import java.util.Arrays;

/**
 * Class-aware greedy non-maximum suppression over candidates held in flat arrays: candidates are
 * visited by score, highest first (equal scores in candidate order), and one is kept unless a kept
 * candidate of the same class overlaps it with IoU strictly greater than the threshold.
 *
 * <p>Owns a sort buffer sized for {@code capacity} candidates, so a call allocates nothing (beyond
 * what {@link Arrays#sort(long[], int, int)} may take for long pre-sorted runs). Not thread-safe:
 * one instance per thread. Cost is {@code O(n log n + n * maxKeep)}.
 *
 * <p>Boxes are {@code x1, y1, x2, y2} with {@code x1 <= x2, y1 <= y2}; empty boxes overlap nothing.
 * Scores must not be NaN.
 */
public final class Nms {
    private final float iouThreshold;
    private final long[] order;

    public Nms(float iouThreshold, int capacity) {
        if (!(iouThreshold >= 0f && iouThreshold <= 1f)) {
            throw new IllegalArgumentException("iouThreshold must be in [0, 1]: " + iouThreshold);
        }
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        this.iouThreshold = iouThreshold;
        this.order = new long[capacity];
    }

    public float iouThreshold() {
        return iouThreshold;
    }

    public int capacity() {
        return order.length;
    }

    /**
     * Selects among {@code n} candidates: candidate {@code i} has box
     * {@code boxes[4i .. 4i+3]}, score {@code scores[i]} and class {@code classIds[i]}. Writes the
     * indices of the kept candidates, best first, to {@code kept} and returns how many there are
     * (at most {@code maxKeep} and {@code kept.length}).
     */
    public int select(float[] boxes, float[] scores, int[] classIds, int n, int maxKeep, int[] kept) {
        if (n > order.length) {
            throw new IllegalArgumentException(n + " candidates exceed capacity " + order.length);
        }
        for (int i = 0; i < n; i++) {
            order[i] = sortKey(scores[i], i);
        }
        Arrays.sort(order, 0, n);
        int limit = Math.min(maxKeep, kept.length);
        int count = 0;
        for (int r = 0; r < n && count < limit; r++) {
            int i = (int) order[r];
            if (!suppressed(boxes, classIds, i, kept, count)) {
                kept[count++] = i;
            }
        }
        return count;
    }

    private boolean suppressed(float[] boxes, int[] classIds, int i, int[] kept, int count) {
        for (int k = 0; k < count; k++) {
            int j = kept[k];
            if (classIds[j] == classIds[i] && iou(boxes, i, j) > iouThreshold) {
                return true;
            }
        }
        return false;
    }

    /** Intersection over union of boxes {@code i} and {@code j} of {@code boxes}; 0 when either is empty. */
    public static float iou(float[] boxes, int i, int j) {
        int a = 4 * i;
        int b = 4 * j;
        float iw = Math.min(boxes[a + 2], boxes[b + 2]) - Math.max(boxes[a], boxes[b]);
        float ih = Math.min(boxes[a + 3], boxes[b + 3]) - Math.max(boxes[a + 1], boxes[b + 1]);
        if (iw <= 0 || ih <= 0) {
            return 0f;
        }
        float inter = iw * ih;
        float union = area(boxes, a) + area(boxes, b) - inter;
        return union <= 0 ? 0f : inter / union;
    }

    private static float area(float[] boxes, int a) {
        return Math.max(0f, boxes[a + 2] - boxes[a]) * Math.max(0f, boxes[a + 3] - boxes[a + 1]);
    }

    /**
     * A key whose ascending order is score descending, then index ascending: the score's bits made
     * order-preserving as a signed int, inverted, in the high word; the index in the low word.
     */
    private static long sortKey(float score, int index) {
        int bits = Float.floatToIntBits(score);
        int ordered = bits ^ ((bits >> 31) & 0x7fffffff);
        return ((long) ~ordered << 32) | (index & 0xffffffffL);
    }
}
