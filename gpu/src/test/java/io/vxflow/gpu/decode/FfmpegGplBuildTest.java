package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.Test;

/**
 * The tests run on FFmpeg's GPL build (libx264 and libx265 make their H.264 High and HEVC test streams),
 * chosen by JavaCPP's {@code org.bytedeco.javacpp.platform.extension=-gpl}, which the surefire and failsafe
 * configuration sets: JavaCPP then loads the natives of the {@code linux-x86_64-gpl} classifier. Without the
 * GPL jar it would quietly fall back to the product's LGPL build; this test is what notices.
 */
class FfmpegGplBuildTest {
    @Test
    void theBuildSetsTheGplExtension() {
        assertThat(System.getProperty("org.bytedeco.javacpp.platform.extension")).isEqualTo("-gpl");
    }

    @Test
    void theLoadedFfmpegIsTheGplBuild() {
        assertThat(avcodec.avcodec_configuration().getString()).contains("--enable-gpl", "--enable-libx264", "--enable-libx265");
        assertThat(avcodec.avcodec_find_encoder_by_name("libx264")).as("libx264").isNotNull();
        assertThat(avcodec.avcodec_find_encoder_by_name("libx265")).as("libx265").isNotNull();
        assertThat(Loader.getLoadedLibraries()).hasEntrySatisfying("jniavcodec",
                path -> assertThat(path).contains("/" + Loader.getPlatform() + "-gpl/"));
    }
}
