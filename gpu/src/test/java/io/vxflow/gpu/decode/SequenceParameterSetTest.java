package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.util.List;
import java.util.Random;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParserContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The SPS reader against what real encoders write (libx264, libopenh264, libx265 in many sizes,
 * chroma formats, bit depths, interlacing, scaling matrices), checked with FFmpeg's own parser, and
 * against hand-written parameter sets for the syntax encoders rarely use and for producers that lie.
 */
class SequenceParameterSetTest {

    /** The size FFmpeg's parser reads from the same keyframe: {coded w, coded h, w, h}. */
    private static long[] ffmpegSize(Codec codec, byte[] keyframe) {
        AVCodecParserContext parser = av_parser_init(codec == Codec.H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC);
        AVCodecContext ctx = avcodec_alloc_context3(avcodec_find_decoder(codec == Codec.H264 ? AV_CODEC_ID_H264 : AV_CODEC_ID_HEVC));
        BytePointer in = new BytePointer(keyframe.length + AV_INPUT_BUFFER_PADDING_SIZE).put(keyframe);
        try {
            PointerPointer<BytePointer> out = new PointerPointer<>(1);
            IntPointer outSize = new IntPointer(1);
            av_parser_parse2(parser, ctx, out, outSize, in, keyframe.length, AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0);
            av_parser_parse2(parser, ctx, out, outSize, null, 0, AV_NOPTS_VALUE, AV_NOPTS_VALUE, 0); // flush
            return new long[] {parser.coded_width(), parser.coded_height(), parser.width(), parser.height()};
        } finally {
            in.close();
            av_parser_close(parser);
            avcodec_free_context(ctx);
        }
    }

    private static SequenceParameterSet onlySps(Codec codec, byte[] keyframe) {
        ParameterSetScan scan = ParameterSetScan.of(codec, keyframe);
        assertThat(scan.malformed()).isNull();
        assertThat(scan.sets()).hasSize(1);
        return scan.sets().get(0);
    }

    @ParameterizedTest(name = "{0} {1} {2}x{3} {4}")
    @CsvSource({
            "H264, yuv420p, 1920, 1080, ''",
            "H264, yuv420p, 1280, 720, ''",
            "H264, yuv420p, 322, 242, ''",
            "H264, yuv420p, 1918, 1078, ''",
            "H264, yuv420p, 1920, 1080, interlaced=1",
            "H264, yuv420p, 720, 576, tff=1:cqm=jvt",
            "H264, yuv420p10le, 640, 360, cqm=jvt",
            "H264, yuv422p, 322, 240, ''",
            "H264, yuv422p, 720, 486, interlaced=1",
            "H264, yuv444p, 642, 362, ''",
            "H264, yuv444p, 1280, 720, cqm=jvt",
            "HEVC, yuv420p, 1920, 1080, ''",
            "HEVC, yuv420p, 1918, 1078, ''",
            "HEVC, yuv420p10le, 1280, 720, ''",
            "HEVC, yuv422p10le, 642, 362, ''",
            "HEVC, yuv444p, 322, 242, ''",
    })
    void readsTheSizeRealEncodersWriteAsFfmpegsParserDoes(Codec codec, String pixelFormat, int width, int height, String params) {
        assumeThat(RampTestStream.isAvailable(codec)).as(RampTestStream.unavailable(codec)).isTrue();
        List<AccessUnit> units = RampTestStream.encode(codec, av_get_pix_fmt(pixelFormat), width, height, 2, 0, params);
        AccessUnit key = units.get(0);
        assertThat(key.keyframe()).isTrue();
        SequenceParameterSet sps = onlySps(codec, key.data());
        assertThat(sps.width()).isEqualTo(width);
        assertThat(sps.height()).isEqualTo(height);
        long[] ffmpeg = ffmpegSize(codec, key.data());
        assertThat(new long[] {sps.codedWidth(), sps.codedHeight(), sps.width(), sps.height()}).as("coded and shown size, as FFmpeg's parser reads them")
                .containsExactly(ffmpeg);
        if (codec == Codec.H264) {
            assertThat(sps.codedWidth() % 16).isZero();
            assertThat(sps.codedHeight() % (params.contains("interlaced") || params.contains("tff") ? 32 : 16)).isZero();
        }
        for (AccessUnit u : units.subList(1, units.size())) {
            assertThat(ParameterSetScan.of(codec, u.data()).hasSps()).as("a P-frame carries none").isFalse();
        }
    }

    @Test
    void readsTheSyntheticStreamsOfEveryProfile() {
        for (Profile p : Profile.values()) {
            if (!p.isAvailable()) {
                continue;
            }
            AccessUnit key = SyntheticVideoEncoder.encode(p, 1).get(0);
            SequenceParameterSet sps = onlySps(p.codec, key.data());
            assertThat(sps.width()).as(p.name()).isEqualTo(1920);
            assertThat(sps.height()).as(p.name()).isEqualTo(1080);
            assertThat(sps.codedPixels()).as(p.name()).isBetween(1920L * 1080, 1920L * 1088);
        }
    }

    private static SequenceParameterSet h264(TestSps.H264 fields) throws MalformedParameterSetException {
        byte[] nal = fields.nal();
        return SequenceParameterSet.parse(Codec.H264, nal, 0, nal.length);
    }

    private static SequenceParameterSet hevc(byte[] nal) throws MalformedParameterSetException {
        return SequenceParameterSet.parse(Codec.HEVC, nal, 0, nal.length);
    }

    @Test
    void h264CroppingIsCountedInUnitsOfTheChromaFormatAndFieldStructure() throws Exception {
        assertThat(h264(TestSps.H264.of(1920, 1080))).isEqualTo(new SequenceParameterSet(Codec.H264, 1920, 1088, 1920, 1080));
        // 4:2:0 interlaced: 17 map units are 34 macroblock rows; a bottom crop of 2 is 2 x 2 x 2 = 8 rows
        assertThat(h264(TestSps.H264.of(320, 240).interlaced(16, new long[] {1, 0, 0, 2})))
                .isEqualTo(new SequenceParameterSet(Codec.H264, 320, 544, 318, 536));
        // 4:2:2: one row per unit vertically, two columns horizontally
        assertThat(h264(TestSps.H264.of(320, 240).withProfile(122, 2, false, false).sized(19, 14, new long[] {0, 1, 0, 8})))
                .isEqualTo(new SequenceParameterSet(Codec.H264, 320, 240, 318, 232));
        // 4:4:4: single samples both ways; with separate colour planes (ChromaArrayType 0) too
        assertThat(h264(TestSps.H264.of(320, 240).withProfile(244, 3, false, false).sized(19, 14, new long[] {0, 3, 0, 5})))
                .isEqualTo(new SequenceParameterSet(Codec.H264, 320, 240, 317, 235));
        assertThat(h264(TestSps.H264.of(320, 240).withProfile(244, 3, true, false).sized(19, 14, new long[] {0, 3, 0, 5})))
                .isEqualTo(new SequenceParameterSet(Codec.H264, 320, 240, 317, 235));
        // monochrome: ChromaArrayType 0
        assertThat(h264(TestSps.H264.of(320, 240).withProfile(100, 0, false, false).sized(19, 14, new long[] {0, 3, 0, 5})))
                .isEqualTo(new SequenceParameterSet(Codec.H264, 320, 240, 317, 235));
    }

    @Test
    void h264SyntaxBeforeTheSizeIsReadWhateverItHolds() throws Exception {
        SequenceParameterSet want = new SequenceParameterSet(Codec.H264, 1280, 720, 1280, 720);
        TestSps.H264 base = TestSps.H264.of(1280, 720);
        assertThat(h264(base.withProfile(100, 1, false, true))).as("8 scaling lists").isEqualTo(want);
        assertThat(h264(base.withProfile(244, 3, false, true))).as("12 scaling lists").isEqualTo(want);
        assertThat(h264(base.withPocType(1))).as("POC type 1 with its cycle").isEqualTo(want);
        assertThat(h264(base.withPocType(2))).as("POC type 2").isEqualTo(want);
        assertThat(h264(base.withProfile(66, 1, false, false))).as("baseline: no chroma format").isEqualTo(want);
    }

    @Test
    void emulationPreventionInsideAnSpsIsUndone() throws Exception {
        // profile 0, no constraints, level 1: 00 00 01 in the payload, which the NAL unit carries as 00 00 03 01
        TestSps.Bits b = new TestSps.Bits().u(8, 0).u(8, 0).u(8, 1).ue(0).ue(0).ue(2).ue(2).flag(false).ue(119).ue(67).flag(true)
                .flag(true).flag(false).flag(false);
        byte[] nal = b.nal((byte) 0x67);
        assertThat(nal).startsWith((byte) 0x67, (byte) 0, (byte) 0, (byte) 3, (byte) 1);
        assertThat(SequenceParameterSet.parse(Codec.H264, nal, 0, nal.length)).isEqualTo(new SequenceParameterSet(Codec.H264, 1920, 1088, 1920, 1088));
    }

    @Test
    void sizesThatLieAreReadAsTheyAreClaimed() throws Exception {
        SequenceParameterSet huge = h264(TestSps.H264.of(16, 16).sized(1023, 1023, null));
        assertThat(huge.codedPixels()).isEqualTo(16384L * 16384);
        SequenceParameterSet absurd = h264(TestSps.H264.of(16, 16).sized((1L << 32) - 2, (1L << 32) - 2, null));
        assertThat(absurd.codedWidth()).isEqualTo(((1L << 32) - 1) * 16);
        assertThat(absurd.codedPixels()).as("too large to multiply is still too large").isEqualTo(Long.MAX_VALUE);
        assertThat(hevc(TestSps.hevc(0, 1, 65_536, 65_536, null)).codedPixels()).isEqualTo(1L << 32);
    }

    @Test
    void hevcReadsPastEveryProfileTierLevelShapeAndTheConformanceWindow() throws Exception {
        for (int subLayers = 0; subLayers <= 6; subLayers++) {
            assertThat(hevc(TestSps.hevc(subLayers, 1, 1920, 1080, null))).as("%d sub-layers", subLayers)
                    .isEqualTo(new SequenceParameterSet(Codec.HEVC, 1920, 1080, 1920, 1080));
        }
        assertThat(hevc(TestSps.hevc(0, 1, 1920, 1088, new long[] {1, 2, 3, 4}))).isEqualTo(new SequenceParameterSet(Codec.HEVC, 1920, 1088, 1914, 1074));
        assertThat(hevc(TestSps.hevc(0, 2, 1920, 1088, new long[] {1, 2, 3, 4}))).isEqualTo(new SequenceParameterSet(Codec.HEVC, 1920, 1088, 1914, 1081));
        assertThat(hevc(TestSps.hevc(0, 3, 1920, 1088, new long[] {1, 2, 3, 4}))).isEqualTo(new SequenceParameterSet(Codec.HEVC, 1920, 1088, 1917, 1081));
        assertThat(hevc(TestSps.hevc(0, 0, 1920, 1088, new long[] {1, 2, 3, 4}))).isEqualTo(new SequenceParameterSet(Codec.HEVC, 1920, 1088, 1917, 1081));
    }

    @Test
    void whatCannotBeASizeIsMalformed() {
        assertThatThrownBy(() -> hevc(TestSps.hevc(0, 1, 0, 1080, null))).isInstanceOf(MalformedParameterSetException.class)
                .hasMessageContaining("0x1080");
        assertThatThrownBy(() -> hevc(TestSps.hevc(7, 1, 1920, 1080, null))).hasMessageContaining("sps_max_sub_layers_minus1");
        assertThatThrownBy(() -> hevc(TestSps.hevc(0, 4, 1920, 1080, null))).hasMessageContaining("chroma_format_idc");
        assertThatThrownBy(() -> h264(TestSps.H264.of(32, 32).sized(1, 1, new long[] {0, 16, 0, 0}))).hasMessageContaining("cropping leaves");
        assertThatThrownBy(() -> h264(TestSps.H264.of(32, 32).withPocType(3))).hasMessageContaining("pic_order_cnt_type 3");
        byte[] forbidden = TestSps.H264.of(64, 64).nal();
        forbidden[0] |= (byte) 0x80;
        assertThatThrownBy(() -> SequenceParameterSet.parse(Codec.H264, forbidden, 0, forbidden.length)).hasMessageContaining("forbidden_zero_bit");
        // layer 1, sps_ext_or_max_sub_layers_minus1 = 7: the size is in the VPS
        byte[] multiLayer = new TestSps.Bits().u(4, 0).u(3, 7).ue(0).flag(false).u(8, 0).nal((byte) 0x42, (byte) 0x09);
        assertThatThrownBy(() -> hevc(multiLayer)).hasMessageContaining("layer 1");
    }

    @Test
    void everyTruncationOfAnSpsIsMalformedAndNothingElse() throws Exception {
        byte[][] nals = {TestSps.H264.of(1280, 720).withProfile(100, 1, false, true).nal(), TestSps.H264.of(720, 576).withPocType(1).nal(),
                TestSps.hevc(3, 1, 3840, 2160, new long[] {0, 0, 0, 4})};
        for (byte[] nal : nals) {
            Codec codec = (nal[0] & 0x1F) == 7 ? Codec.H264 : Codec.HEVC;
            SequenceParameterSet whole = SequenceParameterSet.parse(codec, nal, 0, nal.length);
            int shortest = nal.length;
            for (int len = nal.length - 1; len >= 0; len--) {
                try {
                    assertThat(SequenceParameterSet.parse(codec, nal, 0, len)).isEqualTo(whole);
                    shortest = len; // the fields after the size are not read
                } catch (MalformedParameterSetException e) {
                    assertThat(e.getMessage()).startsWith(codec.wireName() + " SPS: ");
                }
            }
            assertThat(shortest).as("only the tail after the size may go").isGreaterThan(nal.length / 2);
        }
    }

    @Test
    void randomBytesAreReadOrRefusedNeverThrownAt() {
        Random random = new Random(7);
        int read = 0;
        for (int round = 0; round < 20_000; round++) {
            Codec codec = round % 2 == 0 ? Codec.H264 : Codec.HEVC;
            byte[] nal = new byte[2 + random.nextInt(40)];
            random.nextBytes(nal);
            nal[0] = codec == Codec.H264 ? (byte) 0x67 : (byte) 0x42;
            nal[1] = codec == Codec.H264 ? nal[1] : (byte) (nal[1] & 0x07);
            try {
                SequenceParameterSet s = SequenceParameterSet.parse(codec, nal, 0, nal.length);
                if (s.width() <= 0 || s.height() <= 0 || s.width() > s.codedWidth() || s.height() > s.codedHeight()) {
                    throw new AssertionError("an impossible size was read: " + s);
                }
                read++;
            } catch (MalformedParameterSetException e) {
                if (!e.getMessage().startsWith(codec.wireName() + " SPS: ")) {
                    throw new AssertionError("unexpected message: " + e.getMessage());
                }
            }
        }
        assertThat(read).as("some random sets parse: the reader does not refuse everything").isPositive();
    }
}
