package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.Codec;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Finding the SPS of an access unit: where they may be, several of them, broken ones, and garbage. */
class ParameterSetScanTest {
    private static final byte[] PPS = {0x68, (byte) 0xEE, 0x3C, (byte) 0x80};
    private static final byte[] IDR_SLICE = {0x65, (byte) 0x88, (byte) 0x84, 0x00, 0x33, (byte) 0xFF};
    private static final byte[] AUD = {0x09, (byte) 0xF0};
    private static final byte[] SEI = {0x06, 0x05, 0x01, 0x00, (byte) 0x80};

    private static byte[] unit(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof byte[] b) {
                out.writeBytes(b);
            } else if (p instanceof String s && s.equals("3")) {
                out.writeBytes(new byte[] {0, 0, 1});
            } else if (p instanceof String s && s.equals("4")) {
                out.writeBytes(new byte[] {0, 0, 0, 1});
            }
        }
        return out.toByteArray();
    }

    @Test
    void findsTheSpsAmongDelimiterSeiAndPpsWithEitherStartCode() {
        byte[] sps = TestSps.H264.of(1280, 720).nal();
        for (String code : new String[] {"3", "4"}) {
            ParameterSetScan scan = ParameterSetScan.of(Codec.H264, unit(code, AUD, code, SEI, code, sps, code, PPS, code, IDR_SLICE));
            assertThat(scan.malformed()).isNull();
            assertThat(scan.sets()).containsExactly(new SequenceParameterSet(Codec.H264, 1280, 720, 1280, 720));
        }
        // trailing zero bytes after the SPS (trailing_zero_8bits) belong to no NAL unit
        ParameterSetScan padded = ParameterSetScan.of(Codec.H264, unit("4", sps, new byte[] {0, 0, 0}, "4", PPS, "3", IDR_SLICE));
        assertThat(padded.sets()).hasSize(1);
    }

    @Test
    void theLargestOfSeveralSetsIsTheOneThatCounts() {
        byte[] small = TestSps.H264.of(640, 360).nal();
        byte[] large = TestSps.H264.of(16, 16).sized(1023, 1023, null).nal();
        ParameterSetScan scan = ParameterSetScan.of(Codec.H264, unit("4", small, "4", large, "4", small, "4", PPS, "4", IDR_SLICE));
        assertThat(scan.sets()).hasSize(3);
        assertThat(scan.largest().codedPixels()).isEqualTo(16384L * 16384);
    }

    @Test
    void anSpsAfterASliceIsReadToo() {
        // a decoder acts on every SPS of the unit: a small one in front and a huge one behind the first slice must not pass
        byte[] small = TestSps.H264.of(640, 360).nal();
        byte[] huge = TestSps.H264.of(16, 16).sized(1023, 1023, null).nal();
        ParameterSetScan scan = ParameterSetScan.of(Codec.H264, unit("4", small, "4", PPS, "4", IDR_SLICE, "4", huge, "4", PPS, "4", IDR_SLICE));
        assertThat(scan.sets()).hasSize(2);
        assertThat(scan.largest().codedPixels()).isEqualTo(16384L * 16384);
        byte[] hevcSps = TestSps.hevc(0, 1, 640, 360, null);
        byte[] hevcIdr = {0x26, 0x01, (byte) 0xAF, 0x00};
        byte[] hevcVps = {0x40, 0x01, 0x0C};
        assertThat(ParameterSetScan.of(Codec.HEVC, unit("4", hevcVps, "4", hevcSps, "4", hevcIdr)).sets()).hasSize(1);
        assertThat(ParameterSetScan.of(Codec.HEVC, unit("4", hevcIdr, "4", hevcSps)).sets()).hasSize(1);
        assertThat(ParameterSetScan.of(Codec.H264, unit("4", IDR_SLICE)).hasSps()).isFalse();
    }

    @Test
    void aBrokenSpsIsReportedWithWhatCouldNotBeRead() {
        byte[] truncated = TestSps.H264.of(640, 360).nal();
        ParameterSetScan scan = ParameterSetScan.of(Codec.H264, unit("4", java.util.Arrays.copyOf(truncated, 5), "4", PPS, "4", IDR_SLICE));
        assertThat(scan.malformed()).startsWith("h264 SPS: ").contains("truncated");
        ParameterSetScan many = ParameterSetScan.of(Codec.H264, unit(repeat(unit("3", TestSps.H264.of(64, 64).nal()), 33), "3", IDR_SLICE));
        assertThat(many.malformed()).contains("more than 32 SPS");
    }

    @Test
    void garbageIsScannedWithoutFailure() {
        Random random = new Random(11);
        int withSps = 0, malformed = 0;
        for (int round = 0; round < 20_000; round++) {
            Codec codec = round % 2 == 0 ? Codec.H264 : Codec.HEVC;
            byte[] data = new byte[random.nextInt(200)];
            random.nextBytes(data);
            for (int i = 0; i + 4 < data.length; i += 1 + random.nextInt(40)) { // start codes and SPS headers sprinkled in
                data[i] = 0;
                data[i + 1] = 0;
                data[i + 2] = 1;
                data[i + 3] = random.nextBoolean() ? (byte) (codec == Codec.H264 ? 0x67 : 0x42) : data[i + 3];
            }
            ParameterSetScan scan = ParameterSetScan.of(codec, data);
            withSps += scan.hasSps() ? 1 : 0;
            malformed += scan.malformed() != null ? 1 : 0;
        }
        assertThat(malformed).as("broken SPS headers are found and refused").isPositive();
        assertThat(withSps + malformed).isPositive();
        assertThat(ParameterSetScan.of(Codec.H264, new byte[0]).hasSps()).isFalse();
        assertThat(ParameterSetScan.of(Codec.HEVC, new byte[] {0, 0, 1}).hasSps()).isFalse();
        assertThat(ParameterSetScan.of(Codec.HEVC, new byte[] {0, 0, 1, 0x42}).malformed()).contains("no NAL unit header");
    }

    @Test
    void codedSlicesAreCountedAndAUnitWithoutOneHasNone() {
        byte[] sps = TestSps.H264.of(640, 360).nal();
        assertThat(ParameterSetScan.of(Codec.H264, unit("4", AUD, "4", sps, "4", PPS, "4", IDR_SLICE)).slices()).isEqualTo(1);
        assertThat(ParameterSetScan.of(Codec.H264, unit("4", IDR_SLICE, "3", new byte[] {0x41, (byte) 0x9A, 0x02})).slices()).isEqualTo(2);
        // parameter sets, delimiters and SEI only, or a slice NAL unit with nothing after its header: no picture
        assertThat(ParameterSetScan.of(Codec.H264, unit("4", AUD, "4", sps, "4", PPS, "4", SEI)).slices()).isZero();
        assertThat(ParameterSetScan.of(Codec.H264, unit("4", sps, "4", new byte[] {0x65})).slices()).isZero();
        // what the fuzzer found: an HEVC unit cut to two bytes, which FFmpeg takes without an error or a picture
        assertThat(ParameterSetScan.of(Codec.HEVC, new byte[] {0, 0}).slices()).isZero();
        assertThat(ParameterSetScan.of(Codec.HEVC, new byte[0]).slices()).isZero();
        // HEVC: an IDR_W_RADL slice (type 19) counts, a VPS (32) does not
        assertThat(ParameterSetScan.of(Codec.HEVC, unit("4", new byte[] {0x40, 0x01, 0x0C}, "4", new byte[] {0x26, 0x01, (byte) 0xAF})).slices())
                .isEqualTo(1);
    }

    @Test
    void aRandomAccessSliceIsReadFromTheSliceNotFromAKeyframeFlag() {
        byte[] sps = TestSps.H264.of(640, 360).nal();
        byte[] pSlice = {0x41, (byte) 0x9A, 0x02};
        assertThat(ParameterSetScan.hasRandomAccessSlice(Codec.H264, unit("4", AUD, "4", sps, "4", PPS, "4", IDR_SLICE))).isTrue();
        assertThat(ParameterSetScan.hasRandomAccessSlice(Codec.H264, unit("4", AUD, "4", pSlice))).as("a P-frame, whatever it claims").isFalse();
        assertThat(ParameterSetScan.hasRandomAccessSlice(Codec.H264, unit("4", sps, "4", PPS, "4", SEI))).isFalse();
        // HEVC: IDR_W_RADL (19) and CRA (21) begin a GOP, TRAIL_R (1) does not
        assertThat(ParameterSetScan.hasRandomAccessSlice(Codec.HEVC, unit("4", new byte[] {0x40, 0x01, 0x0C}, "4", new byte[] {0x26, 0x01, (byte) 0xAF})))
                .isTrue();
        assertThat(ParameterSetScan.hasRandomAccessSlice(Codec.HEVC, unit("4", new byte[] {0x2A, 0x01, (byte) 0xAF}))).isTrue();
        assertThat(ParameterSetScan.hasRandomAccessSlice(Codec.HEVC, unit("4", new byte[] {0x02, 0x01, (byte) 0xAF}))).isFalse();
        assertThat(ParameterSetScan.hasRandomAccessSlice(Codec.HEVC, new byte[] {0, 0})).isFalse();
    }

    @Test
    void onlyAnIdrBeginsAClosedGop() {
        byte[] sps = TestSps.H264.of(640, 360).nal();
        byte[] iSliceNotIdr = {0x65 & ~0x04, (byte) 0x88, 0x02}; // nal type 1, what a recovery-point I-frame is sent as
        assertThat(ParameterSetScan.startsClosedGop(Codec.H264, unit("4", AUD, "4", sps, "4", PPS, "4", IDR_SLICE))).isTrue();
        assertThat(ParameterSetScan.startsClosedGop(Codec.H264, unit("4", AUD, "4", sps, "4", PPS, "4", iSliceNotIdr))).isFalse();
        assertThat(ParameterSetScan.startsClosedGop(Codec.H264, unit("4", sps, "4", PPS))).as("no slice").isFalse();
        // HEVC: IDR_W_RADL (19) and IDR_N_LP (20) do; CRA (21) and BLA_W_LP (16), whose leading pictures may look back, do not
        byte[] vps = {0x40, 0x01, 0x0C};
        assertThat(ParameterSetScan.startsClosedGop(Codec.HEVC, unit("4", vps, "4", new byte[] {0x26, 0x01, (byte) 0xAF}))).isTrue();
        assertThat(ParameterSetScan.startsClosedGop(Codec.HEVC, unit("4", new byte[] {0x28, 0x01, (byte) 0xAF}))).isTrue();
        assertThat(ParameterSetScan.startsClosedGop(Codec.HEVC, unit("4", new byte[] {0x2A, 0x01, (byte) 0xAF}))).isFalse();
        assertThat(ParameterSetScan.startsClosedGop(Codec.HEVC, unit("4", new byte[] {0x20, 0x01, (byte) 0xAF}))).isFalse();
    }

    private static byte[] repeat(byte[] b, int times) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < times; i++) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }
}
