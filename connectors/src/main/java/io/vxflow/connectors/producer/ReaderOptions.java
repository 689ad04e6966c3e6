package io.vxflow.connectors.producer;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link AccessUnitReader} opens a source. Immutable; start from {@link #defaults()}.
 *
 * @param ioTimeout how long connecting to a URL, or one read from it, may take before the reader
 *     gives up (FFmpeg's socket I/O timeout); does not apply to local files
 * @param rtspTransport RTSP's lower transport: {@code tcp} (the default: no losses, crosses NAT),
 *     {@code udp}, {@code udp_multicast} or {@code http}
 * @param assumedFrameRate the frame rate of a source without timestamps (raw Annex-B files), or
 *     null to take it from the stream's timing information and else use FFmpeg's 25 fps
 */
public record ReaderOptions(Duration ioTimeout, String rtspTransport, FrameRate assumedFrameRate) {
    private static final Set<String> RTSP_TRANSPORTS = Set.of("tcp", "udp", "udp_multicast", "http", "https");

    public ReaderOptions {
        Objects.requireNonNull(ioTimeout, "ioTimeout");
        if (ioTimeout.isNegative() || ioTimeout.isZero()) {
            throw new IllegalArgumentException("the I/O timeout must be positive, got " + ioTimeout);
        }
        if (!RTSP_TRANSPORTS.contains(rtspTransport)) {
            throw new IllegalArgumentException("RTSP transport must be one of " + RTSP_TRANSPORTS + ", got '"
                    + rtspTransport + "'");
        }
    }

    /** 10 s I/O timeout, RTSP over TCP, frame rate of raw streams from their timing information. */
    public static ReaderOptions defaults() {
        return new ReaderOptions(Duration.ofSeconds(10), "tcp", null);
    }

    public ReaderOptions withIoTimeout(Duration timeout) {
        return new ReaderOptions(timeout, rtspTransport, assumedFrameRate);
    }

    public ReaderOptions withRtspTransport(String transport) {
        return new ReaderOptions(ioTimeout, transport, assumedFrameRate);
    }

    public ReaderOptions withAssumedFrameRate(FrameRate frameRate) {
        return new ReaderOptions(ioTimeout, rtspTransport, frameRate);
    }
}
