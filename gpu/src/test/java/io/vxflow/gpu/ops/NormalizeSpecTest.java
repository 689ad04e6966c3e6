package io.vxflow.gpu.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NormalizeSpecTest {

    @Test
    void unitIsOneOver255AndNoBias() {
        // 1 / 255 = 0.00392157
        assertThat(NormalizeSpec.UNIT.scale()).containsExactly(new float[] {0.00392157f, 0.00392157f, 0.00392157f}, within(1e-8f));
        // -mean / std is -0.0 here; adding -0.0 changes nothing, so compare by value
        assertThat(NormalizeSpec.UNIT.bias()).containsExactly(new float[] {0f, 0f, 0f}, within(0f));
    }

    @Test
    void imagenetScaleAndBias() {
        // scale = 1 / (255 std): 1 / 58.395 = 0.01712475, 1 / 57.12 = 0.01750700, 1 / 57.375 = 0.01742919
        // bias = -mean / std: -0.485 / 0.229 = -2.117904, -0.456 / 0.224 = -2.035714, -0.406 / 0.225 = -1.804444
        assertThat(NormalizeSpec.IMAGENET.scale()).containsExactly(new float[] {0.01712475f, 0.01750700f, 0.01742919f}, within(1e-7f));
        assertThat(NormalizeSpec.IMAGENET.bias()).containsExactly(new float[] {-2.117904f, -2.035714f, -1.804444f}, within(1e-5f));
    }

    @Test
    void bgrReversesChannelSourcesAndTheirStatistics() {
        NormalizeSpec bgr = new NormalizeSpec(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, true);
        assertThat(new int[] {bgr.source(0), bgr.source(1), bgr.source(2)}).containsExactly(2, 1, 0);
        assertThat(new int[] {NormalizeSpec.UNIT.source(0), NormalizeSpec.UNIT.source(1), NormalizeSpec.UNIT.source(2)})
                .containsExactly(0, 1, 2);
        assertThat(bgr.scale()).containsExactly(new float[] {0.01742919f, 0.01750700f, 0.01712475f}, within(1e-7f));
        assertThat(bgr.bias()).containsExactly(new float[] {-1.804444f, -2.035714f, -2.117904f}, within(1e-5f));
    }

    @Test
    void validatesAndCopiesItsArrays() {
        assertThatThrownBy(() -> new NormalizeSpec(new float[] {0, 0}, new float[] {1, 1, 1}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("mean and std need 3 values each");
        assertThatThrownBy(() -> new NormalizeSpec(new float[] {0, 0, 0}, new float[] {1, 0, 1}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("std must be positive: [1.0, 0.0, 1.0]");
        assertThatThrownBy(() -> new NormalizeSpec(new float[] {0, 0, 0}, new float[] {1, Float.NaN, 1}, false))
                .isInstanceOf(IllegalArgumentException.class);
        float[] mean = {0.1f, 0.2f, 0.3f};
        NormalizeSpec s = new NormalizeSpec(mean, new float[] {1, 1, 1}, false);
        mean[0] = 9;
        assertThat(s.mean()[0]).isEqualTo(0.1f);
    }

    @Test
    void equalityIsByValue() {
        NormalizeSpec a = new NormalizeSpec(new float[] {0, 0, 0}, new float[] {1, 1, 1}, false);
        assertThat(a).isEqualTo(NormalizeSpec.UNIT).hasSameHashCodeAs(NormalizeSpec.UNIT);
        assertThat(new NormalizeSpec(new float[] {0, 0, 0}, new float[] {1, 1, 1}, true)).isNotEqualTo(NormalizeSpec.UNIT);
        assertThat(NormalizeSpec.IMAGENET).isNotEqualTo(NormalizeSpec.UNIT);
    }
}
