package io.vxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P10LE;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.cpu.CpuCompose;
import io.vxflow.gpu.cpu.CpuCropResize;
import io.vxflow.gpu.cpu.CpuLetterboxPad;
import io.vxflow.gpu.cpu.CpuNormalize;
import io.vxflow.gpu.cpu.CpuResize;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import io.vxflow.gpu.decode.NvdecDecoder;
import io.vxflow.gpu.decode.NvdecDevice;
import io.vxflow.gpu.decode.RampTestStream;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.OnnxRuntimeEngine;
import io.vxflow.gpu.ops.NormalizeSpec;
import io.vxflow.gpu.postprocess.ClassScore;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.postprocess.TopK;
import io.vxflow.gpu.postprocess.YoloDecoder;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.gpu.tensor.Half;
import io.vxflow.gpu.tensor.HostTensor;
import io.vxflow.gpu.testing.GpuTest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA operator against its CPU reference on real decoded frames (baseline H.264, High profile
 * with B-frames, and HEVC Main10 through NVDEC's P010), in each input layout. The kernels do the
 * CPU's float32 arithmetic without fused multiply-add, so every byte and every tensor element, fp32
 * and fp16 alike, must equal the reference's bit for bit; a failure says how many differ and where.
 */
@GpuTest
class CudaOpsGpuTest {
    private static GpuContext ctx;
    private static KernelModule module;
    private static List<HostImage> frames;
    private static List<ColorSpec> colors;

    @BeforeAll
    static void open() throws Exception {
        ctx = GpuContext.open(0);
        module = KernelModule.load(ctx, Kernels.SOURCE);
        frames = new ArrayList<>();
        colors = new ArrayList<>();
        assumeTrue(Profile.HIGH_BFRAMES.isAvailable(), "the B-frame clip needs libx264 (FFmpeg's GPL build on the test class path)");
        decodeInto(SyntheticVideoEncoder.encode(Profile.BASELINE, 3), frames, colors);
        decodeInto(SyntheticVideoEncoder.encode(Profile.HIGH_BFRAMES, 5), frames, colors);
    }

    /** Copies decoded frames to owned host images (the decoder's buffers go back to its pool). */
    private static void decodeInto(List<AccessUnit> units, List<HostImage> frames, List<ColorSpec> colors) throws Exception {
        try (FfmpegSoftwareDecoder d = new FfmpegSoftwareDecoder(units.get(0).codec(), 1)) {
            List<DecodedFrame> out = new ArrayList<>();
            for (AccessUnit u : units) {
                d.decode(u, out::add);
            }
            d.drain(out::add);
            for (DecodedFrame f : out) {
                HostImage src = (HostImage) f.image();
                ByteBuffer[] planes = new ByteBuffer[3];
                int[] strides = new int[3];
                for (int p = 0; p < 3; p++) {
                    ByteBuffer copy = ByteBuffer.allocate(src.plane(p).capacity());
                    copy.put(src.plane(p).duplicate().clear());
                    planes[p] = copy;
                    strides[p] = src.stride(p);
                }
                frames.add(new HostImage(src.format(), src.width(), src.height(), planes, strides));
                colors.add(f.colorSpec());
                f.release();
            }
        }
    }

    @AfterAll
    static void close() {
        module.close();
        ctx.close();
    }

    @Test
    void resizeMatchesTheCpuReferenceForI420AndNv12() {
        CudaResize gpu = new CudaResize(module);
        CpuResize cpu = new CpuResize();
        for (int f = 0; f < frames.size(); f++) {
            HostImage src = frames.get(f);
            for (HostImage layout : List.of(src, DeviceTransfers.toNv12(src))) {
                DeviceImage dsrc = DeviceTransfers.upload(ctx, layout);
                // letterbox content size, an upscale and an odd ROI
                for (int[] size : new int[][] {{640, 360}, {2000, 1130}, {333, 211}}) {
                    Rect roi = size[0] == 333 ? new Rect(101.25f, 57.5f, 777.5f, 431.75f) : Rect.ofSize(src.width(), src.height());
                    HostImage want = HostImage.allocateRgb(size[0], size[1]);
                    cpu.run(src, colors.get(f), roi, want, 0, 0, size[0], size[1]);
                    DeviceImage dst = DeviceTransfers.rgb(ctx, size[0], size[1]);
                    gpu.run(ctx, dsrc, colors.get(f), roi, dst, 0, 0, size[0], size[1]);
                    byte[] got = DeviceTransfers.download(ctx, dst.plane(0), 3L * size[0] * size[1]);
                    assertThat(maxDiff(got, want.plane(0).array())).as("frame %d %s %dx%d", f, layout.format(), size[0], size[1])
                            .isLessThanOrEqualTo(1);
                    assertThat(countDiffs(got, want.plane(0).array())).as("differing bytes").isZero();
                }
            }
        }
    }

    @Test
    void padAndNormalizeMatchTheCpuReferenceInFp32AndFp16AndTheFusedPassMatchesToo() {
        HostImage src = frames.get(frames.size() - 1);
        ColorSpec color = colors.get(colors.size() - 1);
        LetterboxGeometry g = LetterboxGeometry.fit(src.width(), src.height(), 640, 640);
        HostImage content = HostImage.allocateRgb(640, 640);
        new CpuResize().run(src, color, Rect.ofSize(src.width(), src.height()), content, 0, 0, g.contentWidth(), g.contentHeight());
        HostImage canvas = HostImage.allocateRgb(640, 640);
        new CpuLetterboxPad(114).run(content, g, canvas);
        for (NormalizeSpec ns : List.of(NormalizeSpec.UNIT, NormalizeSpec.IMAGENET, new NormalizeSpec(new float[] {0.1f, 0.2f, 0.3f},
                new float[] {0.5f, 0.6f, 0.7f}, true))) {
            HostTensor want = HostTensor.allocate(1, 3, 640, 640);
            new CpuNormalize(ns).run(canvas, want.item(0));
            float[] expected = new float[3 * 640 * 640];
            want.item(0).get(expected);

            DeviceImage dsrc = DeviceTransfers.upload(ctx, src);
            DeviceImage dContent = DeviceTransfers.rgb(ctx, 640, 640);
            DeviceImage dCanvas = DeviceTransfers.rgb(ctx, 640, 640);
            new CudaResize(module).run(ctx, dsrc, color, Rect.ofSize(src.width(), src.height()), dContent, 0, 0, g.contentWidth(), g.contentHeight());
            new CudaLetterboxPad(module, 114).run(ctx, dContent, g, dCanvas);
            assertThat(DeviceTransfers.download(ctx, dCanvas.plane(0), 3L * 640 * 640)).isEqualTo(canvas.plane(0).array());

            CudaNormalize norm = new CudaNormalize(module, ns, 114);
            for (boolean half : new boolean[] {false, true}) {
                DeviceBuffer item = ctx.allocate((half ? 2L : 4L) * expected.length, "normalized item");
                norm.run(ctx, dCanvas, item.address(), half);
                assertSameTensor(ctx, item, half, expected, "normalize " + ns + (half ? " fp16" : " fp32"));
                DeviceBuffer fused = ctx.allocate(item.size(), "fused item");
                norm.runFused(ctx, dsrc, color, g, fused.address(), half);
                assertSameTensor(ctx, fused, half, expected, "fused resize+pad+normalize " + ns + (half ? " fp16" : " fp32"));
            }
        }
    }

    /**
     * 10-bit: an HEVC Main10 clip decoded by NVDEC (P010 in device memory) and by FFmpeg's software
     * decoder (I420_10, the CPU reference path). NVDEC's samples equal the software decoder's; resize
     * and the fused resize+pad+normalize on the P010 frame, and on the I420_10 frame uploaded as the
     * NVDEC fallback hands it over, equal the CPU reference on I420_10 bit for bit.
     */
    @Test
    void tenBitKernelsOnNvdecP010AndUploadedI420_10MatchTheCpuReference() throws Exception {
        assumeTrue(RampTestStream.isAvailable(Codec.HEVC), RampTestStream.unavailable(Codec.HEVC));
        List<AccessUnit> units = RampTestStream.encode(Codec.HEVC, AV_PIX_FMT_YUV420P10LE, 1280, 720, 6, 0);
        List<HostImage> reference = new ArrayList<>();
        List<ColorSpec> referenceColors = new ArrayList<>();
        decodeInto(units, reference, referenceColors);
        assertThat(reference).hasSize(6).allSatisfy(f -> assertThat(f.format()).isEqualTo(PixelFormat.I420_10));
        List<DecodedFrame> nvdec = new ArrayList<>();
        try (NvdecDevice device = new NvdecDevice(ctx); NvdecDecoder decoder = new NvdecDecoder(device, Codec.HEVC, 8)) {
            for (AccessUnit u : units) {
                decoder.decode(u, nvdec::add);
            }
            decoder.drain(nvdec::add);
            assertThat(decoder.engine()).as("HEVC Main10 decoded by").isEqualTo(NvdecDecoder.NVDEC);
            assertThat(nvdec).hasSize(reference.size());
            CpuResize cpu = new CpuResize();
            CudaResize gpu = new CudaResize(module);
            for (int f = 0; f < nvdec.size(); f++) {
                HostImage want = reference.get(f);
                ColorSpec color = referenceColors.get(f);
                DeviceImage p010 = (DeviceImage) nvdec.get(f).image();
                assertThat(p010.format()).isEqualTo(PixelFormat.P010);
                assertThat(nvdec.get(f).colorSpec()).isEqualTo(color);
                assertSameSamples(samplesOf(p010), samplesOf(want), want.width(), "frame " + f + ": NVDEC's P010 against the software decoder's I420_10");
                for (DeviceImage src : List.of(p010, DeviceTransfers.upload(ctx, want))) {
                    String what = "frame " + f + " " + src.format();
                    for (int[] size : new int[][] {{640, 360}, {1500, 850}, {333, 211}}) {
                        Rect roi = size[0] == 333 ? new Rect(101.25f, 57.5f, 777.5f, 431.75f) : Rect.ofSize(want.width(), want.height());
                        HostImage expected = HostImage.allocateRgb(size[0], size[1]);
                        cpu.run(want, color, roi, expected, 0, 0, size[0], size[1]);
                        DeviceImage dst = DeviceTransfers.rgb(ctx, size[0], size[1]);
                        gpu.run(ctx, src, color, roi, dst, 0, 0, size[0], size[1]);
                        byte[] got = DeviceTransfers.download(ctx, dst.plane(0), 3L * size[0] * size[1]);
                        assertThat(countDiffs(got, expected.plane(0).array())).as("%s resize to %dx%d: bytes differing from the CPU reference",
                                what, size[0], size[1]).isZero();
                    }
                    float[] expected = cpuLetterboxNormalize(want, color, NormalizeSpec.UNIT);
                    LetterboxGeometry g = LetterboxGeometry.fit(want.width(), want.height(), 640, 640);
                    CudaNormalize norm = new CudaNormalize(module, NormalizeSpec.UNIT, 114);
                    DeviceBuffer fused = ctx.allocate(2L * expected.length, "fused 10-bit item");
                    norm.runFused(ctx, src, color, g, fused.address(), true);
                    assertSameTensor(ctx, fused, true, expected, what + " fused resize+pad+normalize fp16");
                }
            }
        } finally {
            nvdec.forEach(DecodedFrame::release);
        }
    }

    /** The CPU reference chain: resize into the letterbox content, pad with 114, normalize to [3][640][640] float32. */
    private static float[] cpuLetterboxNormalize(HostImage src, ColorSpec color, NormalizeSpec ns) {
        LetterboxGeometry g = LetterboxGeometry.fit(src.width(), src.height(), 640, 640);
        HostImage content = HostImage.allocateRgb(640, 640);
        new CpuResize().run(src, color, Rect.ofSize(src.width(), src.height()), content, 0, 0, g.contentWidth(), g.contentHeight());
        HostImage canvas = HostImage.allocateRgb(640, 640);
        new CpuLetterboxPad(114).run(content, g, canvas);
        HostTensor t = HostTensor.allocate(1, 3, 640, 640);
        new CpuNormalize(ns).run(canvas, t.item(0));
        float[] out = new float[3 * 640 * 640];
        t.item(0).get(out);
        return out;
    }

    /**
     * Fails unless every element of the device tensor has exactly the bits of the CPU reference's
     * (fp16: the reference rounded to nearest even, as the kernel's cvt.rn does); says how many
     * differ and where the first one is.
     */
    private static void assertSameTensor(GpuContext ctx, DeviceBuffer tensor, boolean half, float[] expected, String what) {
        ByteBuffer got = ByteBuffer.wrap(DeviceTransfers.download(ctx, tensor.address(), (half ? 2L : 4L) * expected.length))
                .order(ByteOrder.nativeOrder());
        int differing = 0, first = -1;
        for (int i = 0; i < expected.length; i++) {
            boolean same = half ? got.getShort(2 * i) == Half.fromFloat(expected[i])
                    : got.getInt(4 * i) == Float.floatToRawIntBits(expected[i]);
            if (!same) {
                differing++;
                first = first < 0 ? i : first;
            }
        }
        if (differing > 0) {
            float value = half ? Half.toFloat(got.getShort(2 * first)) : got.getFloat(4 * first);
            float want = half ? Half.toFloat(Half.fromFloat(expected[first])) : expected[first];
            assertThat(differing).as("%s: %d of %d elements differ from the CPU reference; the first, element %d, is %s instead of %s", what,
                    differing, expected.length, first, value, want).isZero();
        }
    }

    /** Y, U and V sample values (10 bits) of a P010 device image or an I420_10 host image, tightly packed. */
    private static int[][] samplesOf(Image image) {
        HostImage host = image instanceof DeviceImage d ? downloadPlanes(d) : (HostImage) image;
        boolean p010 = host.format() == PixelFormat.P010;
        int w = host.width(), h = host.height(), cw = (w + 1) / 2, ch = (h + 1) / 2;
        int[][] out = {new int[w * h], new int[cw * ch], new int[cw * ch]};
        for (int p = 0; p < 3; p++) {
            int pw = p == 0 ? w : cw, ph = p == 0 ? h : ch;
            ByteBuffer plane = host.plane(p010 && p > 0 ? 1 : p).duplicate().order(ByteOrder.LITTLE_ENDIAN);
            int stride = host.stride(p010 && p > 0 ? 1 : p);
            for (int y = 0; y < ph; y++) {
                for (int x = 0; x < pw; x++) {
                    int at = p010 ? y * stride + (p == 0 ? 2 * x : 4 * x + 2 * (p - 1)) : y * stride + 2 * x;
                    int v = plane.getShort(at) & 0xFFFF;
                    out[p][y * pw + x] = p010 ? v >> 6 | (v & 0x3F) << 16 : v; // P010's low 6 bits must be 0: kept visible if not
                }
            }
        }
        return out;
    }

    /** Fails at the first sample that differs, naming plane, position and values (P010's nonzero low bits show above 1023). */
    private static void assertSameSamples(int[][] got, int[][] want, int width, String what) {
        String[] names = {"Y", "U", "V"};
        for (int p = 0; p < 3; p++) {
            int at = java.util.Arrays.mismatch(got[p], want[p]);
            int w = p == 0 ? width : (width + 1) / 2;
            assertThat(at).as("%s: first differing %s sample at (%d, %d): %d instead of %d", what, names[p], at % w, at / w,
                    at < 0 ? 0 : got[p][at], at < 0 ? 0 : want[p][at]).isNegative();
        }
    }

    private static HostImage downloadPlanes(DeviceImage d) {
        ByteBuffer[] planes = new ByteBuffer[d.format().planes()];
        int[] strides = new int[planes.length];
        for (int p = 0; p < planes.length; p++) {
            int rows = p == 0 ? d.height() : (d.height() + 1) / 2;
            planes[p] = ByteBuffer.wrap(DeviceTransfers.download(ctx, d.plane(p), (long) d.pitch(p) * (rows - 1) + rowBytes(d, p)));
            strides[p] = d.pitch(p);
        }
        return new HostImage(d.format(), d.width(), d.height(), planes, strides);
    }

    private static long rowBytes(DeviceImage d, int plane) {
        int samples = plane == 0 ? d.width() : (d.width() + 1) / 2;
        return (long) samples * (plane > 0 && d.format().planes() == 2 ? 2 : 1) * d.format().bytesPerSample();
    }

    @Test
    void yoloPostprocessMatchesTheCpuDecoderOnRealModelOutput() {
        ModelInfo model = TestModels.squaresInfo();
        HostImage src = frames.get(1);
        LetterboxGeometry g = LetterboxGeometry.fit(src.width(), src.height(), 640, 640);
        HostImage content = HostImage.allocateRgb(640, 640), canvas = HostImage.allocateRgb(640, 640);
        new CpuResize().run(src, colors.get(1), Rect.ofSize(src.width(), src.height()), content, 0, 0, g.contentWidth(), g.contentHeight());
        new CpuLetterboxPad(114).run(content, g, canvas);
        HostTensor in = HostTensor.allocate(2, 3, 640, 640);
        new CpuNormalize(NormalizeSpec.UNIT).run(canvas, in.item(0));
        new CpuNormalize(NormalizeSpec.UNIT).run(canvas, in.item(1));
        HostTensor out = HostTensor.allocate(2, 7, 6400);
        try (OnnxRuntimeEngine ort = new OnnxRuntimeEngine(model, 1)) {
            ort.run(in, out, 2);
        }
        float[] raw = new float[2 * 7 * 6400];
        out.data().get(raw);
        // low confidence so NMS has real work: many overlapping candidates per square
        for (float conf : new float[] {0.25f, 0.05f}) {
            List<Detection> want = new YoloDecoder(3, 6400, conf, 0.45f, 100).decode(out.data(), 7 * 6400, g);
            CudaYoloPostprocess pp = new CudaYoloPostprocess(module, 3, 6400, conf, 0.45f, 100);
            DeviceBuffer dOut = ctx.allocate(4L * raw.length, "output");
            DeviceTransfers.uploadFloats(ctx, dOut.address(), raw);
            DeviceBuffer cand = ctx.allocate(2 * CudaYoloPostprocess.candidateBytes(), "cand");
            DeviceBuffer counts = ctx.allocate(8, "counts");
            ctx.fillAsync(counts.address(), (byte) 0, 8);
            DeviceBuffer geom = ctx.allocate(48, "geom");
            int[] gi = {g.srcWidth(), g.srcHeight(), g.contentWidth(), g.contentHeight(), g.padX(), g.padY()};
            float[] gf = new float[12];
            for (int i = 0; i < 12; i++) {
                gf[i] = Float.intBitsToFloat(gi[i % 6]);
            }
            DeviceTransfers.uploadFloats(ctx, geom.address(), gf);
            DeviceBuffer dets = ctx.allocate(2L * 100 * 6 * 4, "dets");
            DeviceBuffer detCount = ctx.allocate(8, "det count");
            pp.run(ctx, dOut.address(), 2, cand.address(), counts.address(), geom.address(), dets.address(), detCount.address());
            float[] countBits = DeviceTransfers.downloadFloats(ctx, detCount.address(), 2);
            float[] d = DeviceTransfers.downloadFloats(ctx, dets.address() + 100 * 6 * 4, 100 * 6);
            int n = Float.floatToRawIntBits(countBits[1]);
            assertThat(n).as("detections at confidence %s", conf).isEqualTo(want.size());
            for (int k = 0; k < n; k++) {
                Detection w = want.get(k);
                assertThat(new float[] {d[6 * k], d[6 * k + 1], d[6 * k + 2], d[6 * k + 3], d[6 * k + 4], d[6 * k + 5]})
                        .containsExactly(w.x1(), w.y1(), w.x2(), w.y2(), w.score(), w.classId());
            }
        }
    }

    @Test
    void topKMatchesTheCpuReference() {
        Random r = new Random(3);
        int classes = 1000, n = 3;
        float[] logits = new float[n * classes];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) r.nextGaussian() * 3;
        }
        DeviceBuffer in = ctx.allocate(4L * logits.length, "logits");
        DeviceTransfers.uploadFloats(ctx, in.address(), logits);
        DeviceBuffer out = ctx.allocate(4L * n * 5 * 2, "topk");
        new CudaTopK(module, classes, 5).run(ctx, in.address(), n, out.address());
        float[] got = DeviceTransfers.downloadFloats(ctx, out.address(), n * 10);
        for (int img = 0; img < n; img++) {
            List<ClassScore> want = new TopK(classes, 5).select(java.nio.FloatBuffer.wrap(logits), img * classes);
            for (int k = 0; k < 5; k++) {
                assertThat((int) got[img * 10 + 2 * k]).isEqualTo(want.get(k).classId());
                assertThat(got[img * 10 + 2 * k + 1]).isCloseTo(want.get(k).score(), org.assertj.core.data.Offset.offset(1e-6f));
            }
        }
    }

    @Test
    void cropAndComposeMatchTheCpuReferenceReadingBoxesFromDeviceMemory() {
        HostImage src = frames.get(0);
        ColorSpec color = colors.get(0);
        List<Detection> boxes = List.of(new Detection(0, 0.9f, 219.4f, 81.0f, 378.9f, 240.5f), new Detection(2, 0.8f, 1539.3f, 839.5f, 1698.8f, 999.0f),
                new Detection(1, 0.7f, 10.5f, 20.25f, 11.0f, 20.5f));
        float[] dets = new float[boxes.size() * 6];
        for (int i = 0; i < boxes.size(); i++) {
            Detection b = boxes.get(i);
            System.arraycopy(new float[] {b.x1(), b.y1(), b.x2(), b.y2(), b.score(), b.classId()}, 0, dets, 6 * i, 6);
        }
        DeviceBuffer dDets = ctx.allocate(4L * dets.length, "dets");
        DeviceTransfers.uploadFloats(ctx, dDets.address(), dets);
        DeviceBuffer dCount = ctx.allocate(4, "count");
        DeviceTransfers.uploadFloats(ctx, dCount.address(), new float[] {Float.intBitsToFloat(boxes.size())});
        DeviceImage dsrc = DeviceTransfers.upload(ctx, src);

        HostImage wantCrops = HostImage.allocateRgb(48, 48 * 4);
        new CpuCropResize(48, 4).run(src, color, boxes, wantCrops);
        DeviceBuffer crops = ctx.allocate(48L * 48 * 3 * 4, "crops");
        ctx.fillAsync(crops.address(), (byte) 0, crops.size());
        new CudaCrop(module, 48, 4).run(ctx, dsrc, color, dDets.address(), dCount.address(), crops.address());
        assertThat(DeviceTransfers.download(ctx, crops.address(), crops.size())).isEqualTo(wantCrops.plane(0).array());

        HostImage wantMosaic = HostImage.allocateRgb(640, 360);
        new CpuCompose(2).run(src, color, boxes, wantMosaic, 320, 180, 320, 180);
        DeviceImage mosaic = DeviceTransfers.rgb(ctx, 640, 360);
        try (CudaCompose compose = new CudaCompose(ctx, module, 2)) {
            compose.run(ctx, dsrc, color, dDets.address(), dCount.address(), mosaic, 320, 180, 320, 180);
            assertThat(DeviceTransfers.download(ctx, mosaic.plane(0), 3L * 640 * 360)).isEqualTo(wantMosaic.plane(0).array());
        }
    }

    static int maxDiff(byte[] a, byte[] b) {
        int m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((a[i] & 0xFF) - (b[i] & 0xFF)));
        }
        return m;
    }

    static int countDiffs(byte[] a, byte[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] != b[i] ? 1 : 0;
        }
        return n;
    }
}
