package io.vxflow.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;

import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The types the producer shares with the decoders, without the GPU stack. */
class CodecTest {
    @Test
    void codecHeaderValuesNameTheirCodecWhateverTheCaseAndSpacing() {
        assertThat(Codec.fromWireName("h264")).contains(Codec.H264);
        assertThat(Codec.fromWireName(" AVC ")).contains(Codec.H264);
        assertThat(Codec.fromWireName("H265")).contains(Codec.HEVC);
        assertThat(Codec.fromWireName("hevc")).contains(Codec.HEVC);
        assertThat(Codec.fromWireName("vp9")).isEqualTo(Optional.empty());
        assertThat(Codec.fromWireName(null)).isEmpty();
        for (Codec c : Codec.values()) {
            assertThat(Codec.fromWireName(c.wireName())).contains(c);
        }
    }

    @Test
    void anAccessUnitNeedsItsCodecAndBytes() {
        assertThatThrownBy(() -> new AccessUnit(null, 0, true, new byte[1])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AccessUnit(Codec.H264, 0, true, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyBadInputReasonHasItsOwnMetricName() {
        assertThat(Arrays.stream(DecodeError.values()).map(DecodeError::metricName)).doesNotHaveDuplicates()
                .allMatch(n -> n.matches("[a-z]+(-[a-z]+)*"));
    }

    @Test
    void ffmpegErrorsReadAsTextAndTheLogLevelIsChosenByName() {
        assertThat(FfmpegErrors.describe(AVERROR_EOF)).isEqualTo("End of file (" + AVERROR_EOF + ")");
        assertThat(FfmpegLogging.level(null)).isEqualTo(AV_LOG_FATAL);
        assertThat(FfmpegLogging.level("ERROR")).isEqualTo(AV_LOG_ERROR);
        assertThat(FfmpegLogging.level("chatty")).isEqualTo(AV_LOG_FATAL);
    }
}
