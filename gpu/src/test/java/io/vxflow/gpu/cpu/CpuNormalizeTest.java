package io.vxflow.gpu.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.ops.NormalizeSpec;
import io.vxflow.gpu.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;

class CpuNormalizeTest {
    private static final float TOL = 1e-5f;

    /** 2x2 RGB24: (255, 0, 51) (102, 153, 204) / (0, 0, 0) (255, 255, 255), with 3 bytes of row padding. */
    private static HostImage image() {
        int stride = 2 * 3 + 3;
        ByteBuffer b = ByteBuffer.allocate(stride * 2);
        b.put(0, new byte[] {(byte) 255, 0, 51, 102, (byte) 153, (byte) 204, 9, 9, 9});
        b.put(stride, new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255, 9, 9, 9});
        return new HostImage(PixelFormat.RGB24, 2, 2, new ByteBuffer[] {b}, new int[] {stride});
    }

    private static float[] run(NormalizeSpec spec) {
        HostTensor t = HostTensor.allocate(1, 3, 2, 2);
        new CpuNormalize(spec).run(image(), t.item(0));
        float[] out = new float[12];
        t.data().get(out);
        return out;
    }

    @Test
    void unitDividesBy255IntoPlanarRgb() {
        // plane R: 255, 102, 0, 255 -> 1, 0.4, 0, 1; G: 0, 153, 0, 255 -> 0, 0.6, 0, 1; B: 51, 204, 0, 255 -> 0.2, 0.8, 0, 1
        assertThat(run(NormalizeSpec.UNIT)).containsExactly(new float[] {1, 0.4f, 0, 1, 0, 0.6f, 0, 1, 0.2f, 0.8f, 0, 1}, within(TOL));
    }

    @Test
    void imagenetSubtractsMeanAndDividesByStd() {
        // R: (1 - 0.485) / 0.229 = 2.248908, (0.4 - 0.485) / 0.229 = -0.371179, (0 - 0.485) / 0.229 = -2.117904
        // G: (0 - 0.456) / 0.224 = -2.035714, (0.6 - 0.456) / 0.224 = 0.642857, (1 - 0.456) / 0.224 = 2.428571
        // B: (0.2 - 0.406) / 0.225 = -0.915556, (0.8 - 0.406) / 0.225 = 1.751111, 0 -> -1.804444, 1 -> 2.64
        assertThat(run(NormalizeSpec.IMAGENET)).containsExactly(new float[] {
            2.248908f, -0.371179f, -2.117904f, 2.248908f,
            -2.035714f, 0.642857f, -2.035714f, 2.428571f,
            -0.915556f, 1.751111f, -1.804444f, 2.64f}, within(TOL));
    }

    @Test
    void bgrPutsTheBluePlaneFirstWithItsOwnStatistics() {
        // UNIT bgr: plane 0 is B, plane 2 is R.
        assertThat(run(new NormalizeSpec(new float[] {0, 0, 0}, new float[] {1, 1, 1}, true)))
                .containsExactly(new float[] {0.2f, 0.8f, 0, 1, 0, 0.6f, 0, 1, 1, 0.4f, 0, 1}, within(TOL));
        // ImageNet statistics in RGB order, bgr output: plane 0 = B normalized with B's mean/std (0.406, 0.225).
        NormalizeSpec bgr = new NormalizeSpec(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f}, true);
        float[] out = run(bgr);
        assertThat(out[0]).isCloseTo(-0.915556f, within(TOL));
        assertThat(out[5]).isCloseTo(0.642857f, within(TOL));
        assertThat(out[8]).isCloseTo(2.248908f, within(TOL));
    }

    @Test
    void writesOnlyItsItemOfABatchTensor() {
        HostTensor t = HostTensor.allocate(3, 3, 2, 2);
        new CpuNormalize(NormalizeSpec.UNIT).run(image(), t.item(1));
        FloatBuffer all = t.data();
        for (int i = 0; i < 36; i++) {
            float expected = i < 12 || i >= 24 ? 0f : new float[] {1, 0.4f, 0, 1, 0, 0.6f, 0, 1, 0.2f, 0.8f, 0, 1}[i - 12];
            assertThat(all.get(i)).as("element %d", i).isCloseTo(expected, within(TOL));
        }
    }

    @Test
    void rejectsAWrongSizedItemOrAYuvImage() {
        CpuNormalize n = new CpuNormalize(NormalizeSpec.UNIT);
        assertThatThrownBy(() -> n.run(image(), FloatBuffer.allocate(13)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("tensor item holds 13 floats, image needs 12");
        assertThatThrownBy(() -> n.run(YuvPicture.flat(2, 2, 1, 1, 1).nv12(), FloatBuffer.allocate(12)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("normalize reads RGB24, got NV12");
    }
}
