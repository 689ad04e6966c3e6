package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fuzzer's SPS rewriting and Annex-B handling, held against real libx264 and libx265 parameter sets and FFmpeg's reading of them. */
class LyingSpsTest {
    private static byte[] sps(FuzzCorpus.Clip clip) {
        int type = clip.codec() == Codec.H264 ? AnnexB.H264_SPS : AnnexB.HEVC_SPS;
        return AnnexB.split(clip.units().get(0).data()).stream().filter(n -> AnnexB.type(clip.codec(), n) == type).findFirst().orElseThrow();
    }

    @Test
    void rewritingTheTrueSizeGivesBackTheSameBytes() {
        FuzzCorpus.Clip h264 = FuzzCorpus.encode("h264", Codec.H264, 320, 240, 12, true, 2);
        FuzzCorpus.Clip hevc = FuzzCorpus.encode("hevc", Codec.HEVC, 256, 144, 10, false, 2);
        assertThat(LyingSps.rewrite(Codec.H264, sps(h264), 320 / 16 - 1, 240 / 16 - 1)).isEqualTo(sps(h264));
        assertThat(LyingSps.rewrite(Codec.HEVC, sps(hevc), 256, 144)).isEqualTo(sps(hevc));
    }

    @Test
    void ffmpegReadsTheLieAndSplittingAndJoiningKeepsTheUnitDecodable() throws Exception {
        FuzzCorpus.Clip hevc = FuzzCorpus.encode("hevc", Codec.HEVC, 256, 144, 10, false, 2);
        AccessUnit key = hevc.units().get(0);
        List<byte[]> nals = new ArrayList<>(AnnexB.split(key.data()));
        assertThat(nals).extracting(n -> AnnexB.type(Codec.HEVC, n)).as("VPS, SPS, PPS, SEI, IDR slice").containsExactly(32, 33, 34, 39, 20);
        for (int i = 0; i < nals.size(); i++) {
            if (AnnexB.type(Codec.HEVC, nals.get(i)) == AnnexB.HEVC_SPS) {
                nals.set(i, LyingSps.rewrite(Codec.HEVC, nals.get(i), 640, 360));
            }
        }
        List<String> sizes = new ArrayList<>();
        try (FfmpegSoftwareDecoder d = new FfmpegSoftwareDecoder(Codec.HEVC, 1)) {
            d.decode(new AccessUnit(Codec.HEVC, 0, true, AnnexB.join(nals)), f -> {
                sizes.add(f.image().width() + "x" + f.image().height());
                f.release();
            });
            d.drain(f -> {
                sizes.add(f.image().width() + "x" + f.image().height());
                f.release();
            });
        }
        assertThat(sizes).as("HEVC decodes what it can of the picture at the size the SPS claims").containsExactly("640x360");
    }

    @Test
    void emulationPreventionIsRemovedAndPutBack() {
        byte[] rbsp = {0, 0, 1, 0, 0, 0, 0, 0, 3, 5};
        byte[] nal = AnnexB.nal(new byte[] {0x67}, rbsp);
        assertThat(nal).containsExactly(0x67, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 0, 3, 5);
        assertThat(AnnexB.rbsp(nal, 1)).isEqualTo(rbsp);
    }
}
