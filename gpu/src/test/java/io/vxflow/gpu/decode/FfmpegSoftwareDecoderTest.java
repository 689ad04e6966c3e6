package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.gpu.cpu.CpuResize;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FfmpegSoftwareDecoderTest {

    @Test
    void baselineStreamDecodesEveryFrameInOrderWithTheSceneColours() throws Exception {
        List<AccessUnit> units = SyntheticVideoEncoder.encode(Profile.BASELINE, 45);
        assertThat(units).hasSize(45);
        assertThat(units.get(0).keyframe()).isTrue();
        assertThat(units.get(30).keyframe()).isTrue();
        List<Long> pts = new ArrayList<>();
        try (FfmpegSoftwareDecoder decoder = new FfmpegSoftwareDecoder(Codec.H264, 1)) {
            for (AccessUnit u : units) {
                decoder.decode(u, f -> {
                    pts.add(f.ptsMicros());
                    if (pts.size() == 38) {
                        assertSceneColours(f, 37);
                    }
                    f.release();
                });
            }
            decoder.drain(f -> {
                pts.add(f.ptsMicros());
                f.release();
            });
        }
        assertThat(pts).hasSize(45);
        for (int i = 0; i < pts.size(); i++) {
            assertThat(pts.get(i)).isEqualTo(SyntheticVideoEncoder.ptsMicros(i));
        }
    }

    @Test
    void highProfileWithBFramesComesOutInPresentationOrder() throws Exception {
        assumeTrue(Profile.HIGH_BFRAMES.isAvailable(), "needs FFmpeg's GPL build (libx264) on the test class path");
        List<AccessUnit> units = SyntheticVideoEncoder.encode(Profile.HIGH_BFRAMES, 40);
        List<Long> decodeOrderPts = units.stream().map(AccessUnit::ptsMicros).toList();
        // B-frames: decode order differs from presentation order
        assertThat(decodeOrderPts).isNotEqualTo(decodeOrderPts.stream().sorted().toList());
        List<Long> pts = new ArrayList<>();
        try (FfmpegSoftwareDecoder decoder = new FfmpegSoftwareDecoder(Codec.H264, 1)) {
            for (AccessUnit u : units) {
                decoder.decode(u, f -> {
                    pts.add(f.ptsMicros());
                    if (pts.size() == 11) {
                        assertSceneColours(f, 10);
                    }
                    f.release();
                });
            }
            decoder.drain(f -> {
                pts.add(f.ptsMicros());
                f.release();
            });
        }
        assertThat(pts).hasSize(40).isSorted();
        assertThat(pts.get(39)).isEqualTo(SyntheticVideoEncoder.ptsMicros(39));
    }

    /** The 10-bit stream the GPU tests compare NVDEC's P010 with: it decodes to I420_10 holding the ramp it was encoded from. */
    @Test
    void tenBitHevcDecodesToI420_10() throws Exception {
        assumeTrue(RampTestStream.isAvailable(Codec.HEVC), RampTestStream.unavailable(Codec.HEVC));
        List<AccessUnit> units = RampTestStream.encode(Codec.HEVC, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P10LE, 320, 180, 12, 0);
        assertThat(units).hasSize(12);
        assertThat(units.stream().filter(AccessUnit::keyframe).count()).isEqualTo(2);
        List<int[]> seen = new ArrayList<>();
        try (FfmpegSoftwareDecoder decoder = new FfmpegSoftwareDecoder(Codec.HEVC, 1)) {
            java.util.function.Consumer<DecodedFrame> check = f -> {
                HostImage img = (HostImage) f.image();
                int frame = (int) SyntheticVideoEncoder.frameIndex(f.ptsMicros());
                // the ramp's luma at (100, 50) is 100 + 2 * 50 + 3 * frame, in 10 bits, little-endian
                int luma = img.plane(0).duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort(50 * img.stride(0) + 2 * 100);
                seen.add(new int[] {frame, img.format().ordinal(), img.width(), img.height(), luma});
                f.release();
            };
            for (AccessUnit u : units) {
                decoder.decode(u, check);
            }
            decoder.drain(check);
        }
        assertThat(seen).hasSize(12);
        for (int i = 0; i < seen.size(); i++) {
            int[] s = seen.get(i);
            assertThat(new int[] {s[0], s[1], s[2], s[3]}).containsExactly(i, PixelFormat.I420_10.ordinal(), 320, 180);
            assertThat(s[4]).as("luma of frame %d", i).isBetween(200 + 3 * i - 12, 200 + 3 * i + 12);
        }
    }

    @Test
    void garbageIsReportedAsCorruptAndNoFrameComesOut() {
        byte[] garbage = new byte[4000];
        new java.util.Random(7).nextBytes(garbage);
        garbage[0] = 0;
        garbage[1] = 0;
        garbage[2] = 0;
        garbage[3] = 1;
        garbage[4] = 0x65; // an IDR slice NAL header, then noise, with no SPS/PPS
        List<DecodedFrame> out = new ArrayList<>();
        try (FfmpegSoftwareDecoder decoder = new FfmpegSoftwareDecoder(Codec.H264, 1)) {
            assertThatThrownBy(() -> decoder.decode(new AccessUnit(Codec.H264, 0, true, garbage), out::add))
                    .isInstanceOf(DecodeException.class)
                    .satisfies(e -> assertThat(((DecodeException) e).error()).isEqualTo(DecodeError.CORRUPT));
        }
        assertThat(out).isEmpty();
    }

    @Test
    void releasedFrameRefusesAccess() throws Exception {
        List<AccessUnit> units = SyntheticVideoEncoder.encode(Profile.BASELINE, 1);
        List<DecodedFrame> frames = new ArrayList<>();
        try (FfmpegSoftwareDecoder decoder = new FfmpegSoftwareDecoder(Codec.H264, 1)) {
            decoder.decode(units.get(0), frames::add);
            decoder.drain(frames::add);
            assertThat(frames).hasSize(1);
            DecodedFrame f = frames.get(0);
            assertThat(f.image().format()).isEqualTo(PixelFormat.I420);
            f.release();
            f.release(); // idempotent
            assertThatThrownBy(f::image).isInstanceOf(IllegalStateException.class);
        }
    }

    /** The centre of each square and a background pixel decode to their colours within a few levels. */
    static void assertSceneColours(DecodedFrame f, long frameIndex) {
        HostImage rgb = HostImage.allocateRgb(SyntheticScene.WIDTH, SyntheticScene.HEIGHT);
        new CpuResize().run((HostImage) f.image(), f.colorSpec(), rgb);
        for (SyntheticScene.Placement p : SyntheticScene.placements(frameIndex)) {
            int[] got = pixel(rgb, p.centerX(), p.centerY());
            int[] want = {p.square().r, p.square().g, p.square().b};
            for (int c = 0; c < 3; c++) {
                assertThat(Math.abs(got[c] - want[c]))
                        .as("%s centre channel %d: got %s want %s", p.square(), c, Arrays.toString(got), Arrays.toString(want))
                        .isLessThanOrEqualTo(6);
            }
        }
    }

    static int[] pixel(HostImage rgb, int x, int y) {
        int o = y * rgb.stride(0) + x * 3;
        return new int[] {rgb.plane(0).get(o) & 0xFF, rgb.plane(0).get(o + 1) & 0xFF, rgb.plane(0).get(o + 2) & 0xFF};
    }
}
