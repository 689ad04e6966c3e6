package io.vxflow.gpu.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.FloatBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopKTest {
    private static final float TOL = 1e-6f;

    private static List<ClassScore> select(int classes, int k, float... values) {
        return new TopK(classes, k).select(FloatBuffer.wrap(values), 0);
    }

    private static void assertScores(List<ClassScore> got, int[] ids, float[] scores) {
        assertThat(got).extracting(ClassScore::classId).containsExactly(java.util.Arrays.stream(ids).boxed().toArray(Integer[]::new));
        for (int i = 0; i < scores.length; i++) {
            assertThat(got.get(i).score()).as("score %d", i).isCloseTo(scores[i], within(TOL));
        }
    }

    @Test
    void logitsGoThroughSoftmax() {
        // softmax(1, 2, 3) = (e^-2, e^-1, 1) / (0.135335 + 0.367879 + 1) = 0.090031, 0.244728, 0.665241
        assertScores(select(3, 2, 1, 2, 3), new int[] {2, 1}, new float[] {0.665241f, 0.244728f});
        // shift-invariant and fine with large logits: softmax(1001, 1002, 1003) is the same
        assertScores(select(3, 3, 1003, 1001, 1002), new int[] {0, 2, 1}, new float[] {0.665241f, 0.244728f, 0.090031f});
        // negative logits: softmax(-1, -1) = 0.5, 0.5
        assertScores(select(2, 2, -1, -1), new int[] {0, 1}, new float[] {0.5f, 0.5f});
    }

    @Test
    void probabilitiesAreTakenAsTheyAre() {
        assertScores(select(3, 2, 0.1f, 0.7f, 0.2f), new int[] {1, 2}, new float[] {0.7f, 0.2f});
        // sums to 0.9995: within 1e-3 of 1, still probabilities
        assertScores(select(2, 1, 0.2f, 0.7995f), new int[] {1}, new float[] {0.7995f});
    }

    @Test
    void valuesInRangeThatDoNotSumToOneAreLogits() {
        // (0.5, 0.5, 0.5) sums to 1.5: softmax gives 1/3 each; (0, 1) sums to 1 -> probabilities;
        // (0, 0.9) sums to 0.9 -> softmax: e^0.9 / (1 + e^0.9) = 2.459603 / 3.459603 = 0.710950
        assertScores(select(3, 3, 0.5f, 0.5f, 0.5f), new int[] {0, 1, 2}, new float[] {1 / 3f, 1 / 3f, 1 / 3f});
        assertScores(select(2, 1, 0f, 1f), new int[] {1}, new float[] {1f});
        assertScores(select(2, 2, 0f, 0.9f), new int[] {1, 0}, new float[] {0.710950f, 0.289050f});
    }

    @Test
    void tiesGoToTheLowerIndex() {
        assertScores(select(4, 3, 0.25f, 0.25f, 0.25f, 0.25f), new int[] {0, 1, 2}, new float[] {0.25f, 0.25f, 0.25f});
        assertScores(select(5, 2, 0.1f, 0.3f, 0.1f, 0.3f, 0.2f), new int[] {1, 3}, new float[] {0.3f, 0.3f});
    }

    @Test
    void kLargerThanTheClassCountReturnsEveryClassSorted() {
        assertScores(select(3, 10, 0.2f, 0.5f, 0.3f), new int[] {1, 2, 0}, new float[] {0.5f, 0.3f, 0.2f});
    }

    @Test
    void readsAtTheGivenOffsetWithoutMovingTheBuffer() {
        FloatBuffer out = FloatBuffer.wrap(new float[] {9, 9, 0.6f, 0.4f, 9});
        List<ClassScore> got = new TopK(2, 1).select(out, 2);
        assertScores(got, new int[] {0}, new float[] {0.6f});
        assertThat(out.position()).isZero();
    }

    @Test
    void rejectsNonPositiveSizes() {
        assertThatThrownBy(() -> new TopK(0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TopK(3, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
