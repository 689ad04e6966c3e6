package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.connectors.producer.VideoSourceException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What AccessUnitReader says about sources it cannot use: one line naming the source and the
 * problem, of a {@link Reason} a command line can map to an exit code, within the I/O timeout
 * for network sources.
 */
class VideoSourceErrorsTest {

    @TempDir
    Path dir;

    @Test
    void missingFile() {
        String missing = dir.resolve("nowhere.mp4").toString();
        assertRefused(missing, Reason.NOT_FOUND).hasMessage("no such file: " + missing);
    }

    @Test
    void directory() {
        assertRefused(dir.toString(), Reason.NOT_FOUND).hasMessage(dir + " is a directory, not a video file");
    }

    @Test
    void textFileWithAVideoExtension() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.mp4"), "shopping list\nmilk\neggs\n");
        assertRefused(text.toString(), Reason.NOT_A_VIDEO)
                .hasMessageStartingWith(text + " is not a video file FFmpeg can read: ")
                .hasMessageContaining("Invalid data found when processing input");
    }

    @Test
    void textFile() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.txt"), "shopping list\nmilk\neggs\n");
        assertRefused(text.toString(), Reason.NOT_A_VIDEO)
                .hasMessage(text + " is not a video file FFmpeg can read: Invalid data found when processing input "
                        + "(-1094995529)");
    }

    @Test
    void emptyFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.ts"));
        assertRefused(empty.toString(), Reason.NOT_A_VIDEO).hasMessageStartingWith(empty + " is not a video file");
    }

    @Test
    void videoOfAnotherCodecIsNamed() {
        Path mpeg4 = Mpeg4Clip.write(dir.resolve("old.mp4"), 5);
        assertRefused(mpeg4.toString(), Reason.UNSUPPORTED_CODEC)
                .hasMessage(mpeg4 + ": stream 0 is mpeg4; vxflow takes h264 or hevc");
    }

    @Test
    void unknownUrlSchemeIsRefusedBeforeFfmpegSeesIt() {
        assertRefused("ftp://user:secret@example.com/clip.mp4", Reason.INVALID_ARGUMENT)
                .hasMessage("cannot read ftp://user:***@example.com/clip.mp4: vxflow reads video files and "
                        + "rtsp://, rtsps://, http:// and https:// URLs")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }

    @Test
    void closedPortIsCannotConnectWithoutThePassword() throws IOException {
        int port = closedPort();
        for (String scheme : List.of("rtsp", "rtsps", "http", "https")) {
            // FFmpeg reads the host after the last '@' (it reports the refused port, not an unknown host 'ssw0rd@127.0.0.1')
            String url = scheme + "://admin:p@ssw0rd@127.0.0.1:" + port + "/stream";
            assertRefused(url, Reason.CANNOT_CONNECT)
                    .hasMessageStartingWith("cannot connect to " + scheme + "://admin:***@127.0.0.1:" + port + "/stream: ")
                    .hasMessageContaining("Connection refused")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("ssw0rd"));
        }
    }

    @Test
    void serverThatNeverAnswersTimesOutWithinTheIoTimeout() throws Exception {
        ReaderOptions options = ReaderOptions.defaults().withIoTimeout(Duration.ofSeconds(1));
        try (SilentServer server = new SilentServer()) {
            for (String scheme : List.of("rtsp", "http")) {
                String url = scheme + "://127.0.0.1:" + server.port() + "/stream";
                long start = System.nanoTime();
                assertThatThrownBy(() -> AccessUnitReader.open(url, options).close())
                        .isInstanceOf(VideoSourceException.class)
                        .hasMessageStartingWith("cannot connect to " + url + ": ")
                        .extracting(e -> ((VideoSourceException) e).reason()).isEqualTo(Reason.CANNOT_CONNECT);
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(millis).as("%s gave up after %d ms", scheme, millis).isBetween(900L, 5_000L);
            }
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertRefused(String location, Reason reason) {
        return assertThatThrownBy(() -> AccessUnitReader.open(location).close())
                .isInstanceOf(VideoSourceException.class)
                .satisfies(e -> assertThat(((VideoSourceException) e).reason()).isEqualTo(reason))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Accepts connections and reads what comes, but never answers. */
    private static final class SilentServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final List<Socket> clients = new ArrayList<>();
        private final Thread acceptor = new Thread(this::accept, "silent-server");

        SilentServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void accept() {
            try {
                while (true) {
                    Socket client = socket.accept();
                    synchronized (clients) {
                        clients.add(client);
                    }
                    InputStream in = client.getInputStream();
                    Thread reader = new Thread(() -> drain(in), "silent-server-client");
                    reader.setDaemon(true);
                    reader.start();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private static void drain(InputStream in) {
            try {
                in.transferTo(OutputStreamSink.INSTANCE);
            } catch (IOException closed) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (clients) {
                for (Socket c : clients) {
                    c.close();
                }
            }
        }
    }

    /** Discards bytes. */
    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] b, int off, int len) {}
    }
}
