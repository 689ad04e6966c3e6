package io.vxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.gpu.cpu.CpuLetterboxPad;
import io.vxflow.gpu.cpu.CpuNormalize;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.ops.NormalizeSpec;
import io.vxflow.gpu.tensor.HostTensor;
import io.vxflow.gpu.testing.GpuTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The path a GPU newer than NVRTC takes (Blackwell with NVRTC 12.6): vxflow's kernels compiled to PTX
 * for an older architecture ({@code compute_80}, forced with {@value NvrtcCompiler#TARGET_PROPERTY}),
 * which the driver compiles for this GPU when the module loads. Pad and normalize from that module
 * equal the CPU reference bit for bit, as the CUBIN's do ({@code CudaOpsGpuTest}).
 */
@GpuTest
class PtxKernelsGpuTest {
    @TempDir
    Path cache;
    private String previousCache;

    @BeforeEach
    void forcePtx() {
        previousCache = System.getProperty("vxflow.cache.dir");
        System.setProperty("vxflow.cache.dir", cache.toString());
        System.setProperty(NvrtcCompiler.TARGET_PROPERTY, "compute_80");
    }

    @AfterEach
    void restore() {
        System.clearProperty(NvrtcCompiler.TARGET_PROPERTY);
        if (previousCache == null) {
            System.clearProperty("vxflow.cache.dir");
        } else {
            System.setProperty("vxflow.cache.dir", previousCache);
        }
    }

    @Test
    void kernelsFromPtxForAnOlderArchitectureMatchTheCpuReference() {
        int w = 640, h = 360;
        byte[] rgb = new byte[3 * w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 31 + i / 1913);
        }
        HostImage content = DeviceTransfers.rgbHost(rgb, w, h);
        LetterboxGeometry g = LetterboxGeometry.fit(w, h, 640, 640);
        HostImage canvas = HostImage.allocateRgb(640, 640);
        new CpuLetterboxPad(114).run(content, g, canvas);
        HostTensor want = HostTensor.allocate(1, 3, 640, 640);
        new CpuNormalize(NormalizeSpec.UNIT).run(canvas, want.item(0));
        float[] expected = new float[3 * 640 * 640];
        want.item(0).get(expected);

        try (GpuContext ctx = GpuContext.open(0); KernelModule module = KernelModule.load(ctx, Kernels.SOURCE)) {
            assertThat(cache.resolve("kernels").toFile().list()).as("the kernel cache holds PTX for compute_80")
                    .anySatisfy(f -> assertThat(f).contains("-compute_80-").endsWith(".ptx"));
            DeviceImage dContent = DeviceTransfers.upload(ctx, content);
            DeviceImage dCanvas = DeviceTransfers.rgb(ctx, 640, 640);
            new CudaLetterboxPad(module, 114).run(ctx, dContent, g, dCanvas);
            assertThat(DeviceTransfers.download(ctx, dCanvas.plane(0), 3L * 640 * 640)).isEqualTo(canvas.plane(0).array());
            DeviceBuffer item = ctx.allocate(4L * expected.length, "normalized item");
            new CudaNormalize(module, NormalizeSpec.UNIT, 114).run(ctx, dCanvas, item.address(), false);
            assertThat(DeviceTransfers.downloadFloats(ctx, item.address(), expected.length)).isEqualTo(expected);
        }
    }
}
