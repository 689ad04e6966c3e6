package io.vxflow.connectors.producer;

import io.vxflow.connectors.producer.VideoSourceException.Reason;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a video comes from: a local file, or a URL of a scheme vxflow reads; knows how to name it in
 * messages (a URL's password replaced by {@code ***}, see {@link UrlCredentials}) and which FFmpeg options opening it needs.
 * Owns nothing.
 */
final class SourceLocation {
    private static final Set<String> SCHEMES = Set.of("rtsp", "rtsps", "http", "https");
    private static final Pattern URL = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$");

    private final String raw;
    private final String scheme; // null for a file
    private final String display;

    private SourceLocation(String raw, String scheme, String display) {
        this.raw = raw;
        this.scheme = scheme;
        this.display = display;
    }

    static SourceLocation parse(String location) {
        if (location == null || location.isBlank()) {
            throw new VideoSourceException(Reason.INVALID_ARGUMENT, "no video source given");
        }
        Matcher m = URL.matcher(location);
        if (!m.matches()) {
            return new SourceLocation(location, null, location);
        }
        String scheme = m.group(1).toLowerCase(Locale.ROOT);
        String display = scheme + UrlCredentials.redact(location).substring(m.group(1).length());
        if (!SCHEMES.contains(scheme)) {
            throw new VideoSourceException(Reason.INVALID_ARGUMENT, "cannot read " + display
                    + ": vxflow reads video files and rtsp://, rtsps://, http:// and https:// URLs");
        }
        return new SourceLocation(location, scheme, display);
    }

    boolean isUrl() {
        return scheme != null;
    }

    /** What FFmpeg opens. */
    String ffmpegUrl() {
        return raw;
    }

    /** The location as messages show it, without a password. */
    String display() {
        return display;
    }

    /** For a file: fails with a clear message unless it exists and can be read. */
    void checkReadable() {
        if (isUrl()) {
            return;
        }
        Path path;
        try {
            path = Path.of(raw);
        } catch (InvalidPathException e) {
            throw new VideoSourceException(Reason.NOT_FOUND, "no such file: " + raw);
        }
        if (!Files.exists(path)) {
            throw new VideoSourceException(Reason.NOT_FOUND, "no such file: " + raw);
        }
        if (Files.isDirectory(path)) {
            throw new VideoSourceException(Reason.NOT_FOUND, raw + " is a directory, not a video file");
        }
        if (!Files.isReadable(path)) {
            throw new VideoSourceException(Reason.NOT_FOUND, "cannot read " + raw + ": permission denied");
        }
    }

    /** Options for {@code avformat_open_input}: timeouts for URLs, RTSP's transport. */
    Map<String, String> ffmpegOptions(ReaderOptions options) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!isUrl()) {
            return out;
        }
        String micros = Long.toString(options.ioTimeout().toNanos() / 1000);
        if (scheme.startsWith("rtsp")) {
            out.put("rtsp_transport", options.rtspTransport());
            out.put("timeout", micros); // RTSP's socket I/O timeout, also used when connecting over TCP
        } else {
            out.put("timeout", micros); // TCP connect and read timeout, passed down by the HTTP protocol
            out.put("rw_timeout", micros); // any protocol: how long one read or write may block
        }
        return out;
    }
}
