package io.vxflow.gpu.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The test-side float to half conversion that feeds fp16 engines. */
class HalfTest {
    @Test
    void knownValues() {
        assertThat(Half.fromFloat(0f)).isEqualTo((short) 0x0000);
        assertThat(Half.fromFloat(-0f)).isEqualTo((short) 0x8000);
        assertThat(Half.fromFloat(1f)).isEqualTo((short) 0x3c00);
        assertThat(Half.fromFloat(0.5f)).isEqualTo((short) 0x3800);
        assertThat(Half.fromFloat(-2f)).isEqualTo((short) 0xc000);
        assertThat(Half.fromFloat(1f / 3)).isEqualTo((short) 0x3555);
        assertThat(Half.fromFloat(65504f)).isEqualTo((short) 0x7bff);
        assertThat(Half.fromFloat(65520f)).isEqualTo((short) 0x7c00);
        assertThat(Half.fromFloat(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(Half.fromFloat(0x1p-14f)).isEqualTo((short) 0x0400);
        assertThat(Half.fromFloat(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7c00);
    }

    @Test
    void roundsToNearestEven() {
        float oneUlp = 0x1p-10f; // spacing of half just above 1
        assertThat(Half.fromFloat(1f + oneUlp / 2)).isEqualTo((short) 0x3c00); // tie: down to even
        assertThat(Half.fromFloat(1f + 3 * oneUlp / 2)).isEqualTo((short) 0x3c02); // tie: up to even
        assertThat(Half.fromFloat(1f + oneUlp * 0.51f)).isEqualTo((short) 0x3c01);
    }

    @Test
    void everyPixelValueRoundTripsWithinHalfAnUlp() {
        for (int p = 0; p <= 255; p++) {
            float v = p / 255f;
            float back = Half.toFloat(Half.fromFloat(v));
            assertThat(Math.abs(back - v)).isLessThanOrEqualTo(Math.ulp(back) / 2 * 0x1p13f);
        }
    }
}
