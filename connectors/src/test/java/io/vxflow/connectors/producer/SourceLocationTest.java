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
    void aPasswordWithAnAtSignIsHiddenWhole() {
        // FFmpeg takes everything up to the authority's last '@' as user information
        assertThat(SourceLocation.parse("rtsp://admin:p@ssw0rd@cam/live").display()).isEqualTo("rtsp://admin:***@cam/live");
        assertThat(SourceLocation.parse("rtsp://admin:p@ss:w0rd@@10.0.0.7:554/live?x=a@b").display())
                .isEqualTo("rtsp://admin:***@10.0.0.7:554/live?x=a@b");
        assertThat(SourceLocation.parse("rtsps://admin:s3cret@[fe80::1]:322/live").display()).isEqualTo("rtsps://admin:***@[fe80::1]:322/live");
        assertThat(SourceLocation.parse("http://user:@cam/a.ts").display()).isEqualTo("http://user:***@cam/a.ts");
        assertThat(SourceLocation.parse("rtsp://[fe80::1]:554/a@b").display()).isEqualTo("rtsp://[fe80::1]:554/a@b");
        assertThat(SourceLocation.parse("rtsp://cam:554/a:b@c").display()).isEqualTo("rtsp://cam:554/a:b@c");
    }

    @Test
    void aPasswordWithASlashIsHiddenToo() {
        // the authority 'admin:pa' is no host:port, so the user information runs to the last '@'
        assertThat(SourceLocation.parse("rtsp://admin:pa/ss@cam/live").display()).isEqualTo("rtsp://admin:***@cam/live");
        assertThat(UrlCredentials.password("rtsp://admin:pa/ss@cam/live")).contains("pa/ss");
        assertThat(UrlCredentials.password("rtsp://admin:p@ssw0rd@cam/live")).contains("p@ssw0rd");
        assertThat(UrlCredentials.password("rtsp://viewer@cam/live")).isEmpty();
        assertThat(UrlCredentials.password("/videos/a:b@c.mp4")).isEmpty();
    }

    @Test
    void optionsAreChecked() {
        assertThatThrownBy(() -> ReaderOptions.defaults().withRtspTransport("quic")).hasMessageContaining("'quic'");
        assertThatThrownBy(() -> ReaderOptions.defaults().withIoTimeout(Duration.ZERO)).hasMessageContaining("positive");
        assertThatThrownBy(() -> SourceLocation.parse(" ")).isInstanceOf(VideoSourceException.class)
                .hasMessage("no video source given");
    }
}
