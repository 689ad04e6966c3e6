package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How sources are named in messages and which FFmpeg options opening them gets. */
class SourceLocationTest {

    @Test
    void rtspGetsTcpAndTheTimeoutInMicroseconds() {
        SourceLocation rtsp = SourceLocation.parse("rtsp://cam.local:554/stream1");
        assertThat(rtsp.isUrl()).isTrue();
        assertThat(rtsp.ffmpegOptions(ReaderOptions.defaults().withIoTimeout(Duration.ofSeconds(3))))
                .containsEntry("rtsp_transport", "tcp").containsEntry("timeout", "3000000");
        assertThat(rtsp.ffmpegOptions(ReaderOptions.defaults().withRtspTransport("udp")))
                .containsEntry("rtsp_transport", "udp");
    }

    @Test
    void httpGetsSocketAndReadTimeouts() {
        assertThat(SourceLocation.parse("https://example.com/a.ts").ffmpegOptions(ReaderOptions.defaults()))
                .containsEntry("timeout", "10000000").containsEntry("rw_timeout", "10000000")
                .doesNotContainKey("rtsp_transport");
    }

    @Test
    void filesGetNoOptions() {
        SourceLocation file = SourceLocation.parse("/videos/a.mp4");
        assertThat(file.isUrl()).isFalse();
        assertThat(file.ffmpegOptions(ReaderOptions.defaults())).isEmpty();
        assertThat(file.display()).isEqualTo("/videos/a.mp4");
    }

    @Test
    void passwordsNeverShow() {
        assertThat(SourceLocation.parse("rtsp://admin:hunter2@10.0.0.7/live").display())
                .isEqualTo("rtsp://admin:***@10.0.0.7/live");
        assertThat(SourceLocation.parse("RTSP://viewer@10.0.0.7/live").display()).isEqualTo("rtsp://viewer@10.0.0.7/live");
        assertThat(SourceLocation.parse("http://10.0.0.7/a:b@c").display()).isEqualTo("http://10.0.0.7/a:b@c");
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> ReaderOptions.defaults().withRtspTransport("quic")).hasMessageContaining("'quic'");
        assertThatThrownBy(() -> ReaderOptions.defaults().withIoTimeout(Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> SourceLocation.parse(" ")).isInstanceOf(VideoSourceException.class)
                .hasMessage("no video source given");
    }
}
