package io.vxflow.gpu.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NmsTest {
    private final int[] kept = new int[8];

    @Test
    void iouOfHalfOverlappingSquaresIsOneThird() {
        float[] boxes = {0, 0, 10, 10, 5, 0, 15, 10};
        // intersection 5 x 10 = 50, union 100 + 100 - 50 = 150
        assertThat(Nms.iou(boxes, 0, 1)).isEqualTo(1f / 3f);
        assertThat(Nms.iou(boxes, 1, 0)).isEqualTo(1f / 3f);
    }

    @Test
    void touchingAndEmptyBoxesDoNotOverlap() {
        float[] boxes = {0, 0, 10, 10, 10, 0, 20, 10, 2, 2, 2, 8};
        assertThat(Nms.iou(boxes, 0, 1)).isZero();
        assertThat(Nms.iou(boxes, 0, 2)).isZero();
    }

    @Test
    void sameClassOverlapIsSuppressedBestFirst() {
        // IoU of 0 and 1 = (9 * 10) / (100 + 100 - 90) = 0.818
        float[] boxes = {1, 0, 11, 10, 0, 0, 10, 10};
        int n = new Nms(0.45f, 4).select(boxes, new float[] {0.8f, 0.9f}, new int[] {0, 0}, 2, 10, kept);
        assertThat(keptIndices(n)).containsExactly(1);
    }

    @Test
    void differentClassesAreNeverSuppressed() {
        float[] boxes = {0, 0, 10, 10, 0, 0, 10, 10};
        int n = new Nms(0.45f, 4).select(boxes, new float[] {0.7f, 0.9f}, new int[] {0, 1}, 2, 10, kept);
        assertThat(keptIndices(n)).containsExactly(1, 0);
    }

    @Test
    void iouEqualToTheThresholdIsKeptAndAboveItSuppressed() {
        float[] boxes = {0, 0, 10, 10, 5, 0, 15, 10}; // IoU exactly 1/3
        float[] scores = {0.9f, 0.8f};
        int[] classes = {0, 0};
        assertThat(keptIndices(new Nms(1f / 3f, 2).select(boxes, scores, classes, 2, 10, kept))).containsExactly(0, 1);
        assertThat(keptIndices(new Nms(0.33f, 2).select(boxes, scores, classes, 2, 10, kept))).containsExactly(0);
    }

    @Test
    void onlyKeptBoxesSuppress() {
        // A-B IoU 60/140 = 0.43, B-C 0.43, A-C 20/180 = 0.11: B goes, so C stays although B overlaps it.
        float[] boxes = {0, 0, 10, 10, 4, 0, 14, 10, 8, 0, 18, 10};
        int n = new Nms(0.4f, 3).select(boxes, new float[] {0.9f, 0.8f, 0.7f}, new int[] {0, 0, 0}, 3, 10, kept);
        assertThat(keptIndices(n)).containsExactly(0, 2);
    }

    @Test
    void equalScoresKeepCandidateOrder() {
        float[] boxes = {0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21, 30, 30, 31, 31};
        float[] scores = {0.5f, 0.7f, 0.7f, 0.7f};
        int n = new Nms(0.5f, 4).select(boxes, scores, new int[] {0, 0, 0, 0}, 4, 10, kept);
        assertThat(keptIndices(n)).containsExactly(1, 2, 3, 0);
    }

    @Test
    void maxKeepCapsTheResult() {
        float[] boxes = {0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21};
        int n = new Nms(0.5f, 3).select(boxes, new float[] {0.1f, 0.3f, 0.2f}, new int[] {0, 1, 2}, 3, 2, kept);
        assertThat(keptIndices(n)).containsExactly(1, 2);
    }

    @Test
    void negativeScoresSortBelowPositiveOnes() {
        float[] boxes = {0, 0, 1, 1, 10, 10, 11, 11, 20, 20, 21, 21};
        int n = new Nms(0.5f, 3).select(boxes, new float[] {-2f, 0f, -0.5f}, new int[] {0, 0, 0}, 3, 10, kept);
        assertThat(keptIndices(n)).containsExactly(1, 2, 0);
    }

    @Test
    void rejectsMoreCandidatesThanItsCapacityAndBadThresholds() {
        Nms nms = new Nms(0.5f, 1);
        assertThatThrownBy(() -> nms.select(new float[8], new float[2], new int[2], 2, 10, kept))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity 1");
        assertThatThrownBy(() -> new Nms(1.5f, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Nms(Float.NaN, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private int[] keptIndices(int n) {
        return Arrays.copyOf(kept, n);
    }
}
