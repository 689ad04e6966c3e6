package io.vxflow.connectors.producer;

/**
 * A video source that cannot be opened or read, with a one-line message meant for the person who
 * named the source ("no such file: clip.mp4", "stream 0 is vp9; vxflow takes h264 or hevc"); the
 * caller can print {@link #getMessage()} alone. {@link #reason()} says which kind of problem it is,
 * for exit codes and tests. Credentials in a URL never appear in the message.
 */
public final class VideoSourceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** The file does not exist, is a directory, or cannot be read. */
        NOT_FOUND,
        /** FFmpeg cannot read the file or stream as a video container. */
        NOT_A_VIDEO,
        /** The source has no H.264 or HEVC video stream. */
        UNSUPPORTED_CODEC,
        /** The URL's server could not be reached, refused, or did not answer in time. */
        CANNOT_CONNECT,
        /** The source was open but reading from it failed (a dropped connection, a damaged file). */
        READ_FAILED,
        /** The location or options are not something vxflow reads (an unknown URL scheme, ...). */
        INVALID_ARGUMENT
    }

    private final Reason reason;

    public VideoSourceException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
