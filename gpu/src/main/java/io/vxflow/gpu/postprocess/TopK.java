package io.vxflow.gpu.postprocess;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU reference classifier postprocess: softmax over one image's class outputs (skipped when
 * they already are probabilities: all in [0, 1] and summing to 1 within 1e-3), then the {@code k}
 * best classes, best first, ties to the lower index. Owns nothing; allocates only its result.
 */
public final class TopK {
    private final int classes;
    private final int k;

    public TopK(int classes, int k) {
        if (classes < 1 || k < 1) {
            throw new IllegalArgumentException("classes and k must be positive");
        }
        this.classes = classes;
        this.k = Math.min(k, classes);
    }

    /** Reads {@code classes} values at {@code offset} (absolute gets). */
    public List<ClassScore> select(FloatBuffer out, int offset) {
        float max = Float.NEGATIVE_INFINITY, sum = 0;
        boolean probabilities = true;
        for (int c = 0; c < classes; c++) {
            float v = out.get(offset + c);
            max = Math.max(max, v);
            sum += v;
            probabilities &= v >= 0 && v <= 1;
        }
        probabilities &= Math.abs(sum - 1f) < 1e-3f;
        double denom = 0;
        if (!probabilities) {
            for (int c = 0; c < classes; c++) {
                denom += Math.exp(out.get(offset + c) - max);
            }
        }
        int[] best = new int[k];
        float[] score = new float[k];
        java.util.Arrays.fill(best, -1);
        java.util.Arrays.fill(score, Float.NEGATIVE_INFINITY);
        for (int c = 0; c < classes; c++) {
            float v = out.get(offset + c);
            float p = probabilities ? v : (float) (Math.exp(v - max) / denom);
            if (p > score[k - 1]) {
                int i = k - 1;
                while (i > 0 && p > score[i - 1]) {
                    score[i] = score[i - 1];
                    best[i] = best[i - 1];
                    i--;
                }
                score[i] = p;
                best[i] = c;
            }
        }
        List<ClassScore> result = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            result.add(new ClassScore(best[i], score[i]));
        }
        return result;
    }
}
