package io.vxflow.codec;

import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import org.bytedeco.javacpp.BytePointer;

/** FFmpeg error codes as text. */
public final class FfmpegErrors {
    private FfmpegErrors() {}

    public static String describe(int errorCode) {
        try (BytePointer buf = new BytePointer(256)) {
            av_strerror(errorCode, buf, 256);
            // getString() reads the whole 256-byte buffer, not up to the terminating NUL
            String text = buf.getString();
            int end = text.indexOf('\0');
            return (end < 0 ? text : text.substring(0, end)) + " (" + errorCode + ")";
        }
    }
}
