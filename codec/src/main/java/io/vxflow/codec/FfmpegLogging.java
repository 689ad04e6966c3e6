package io.vxflow.codec;

import static org.bytedeco.ffmpeg.global.avutil.*;

import java.util.Locale;

/**
 * FFmpeg's own log level for the whole process. vxflow reports bad input itself, once per stream and
 * reason, so FFmpeg's per-packet messages are off by default ({@code fatal}); set the environment
 * variable {@code VXFLOW_FFMPEG_LOG} to {@code error}, {@code warning}, {@code info} or {@code debug}
 * to see them.
 */
public final class FfmpegLogging {
    private static volatile boolean installed;

    private FfmpegLogging() {}

    public static void install() {
        if (installed) {
            return;
        }
        synchronized (FfmpegLogging.class) {
            if (!installed) {
                av_log_set_level(level(System.getenv("VXFLOW_FFMPEG_LOG")));
                installed = true;
            }
        }
    }

    static int level(String name) {
        if (name == null) {
            return AV_LOG_FATAL;
        }
        switch (name.toLowerCase(Locale.ROOT)) {
            case "quiet":
                return AV_LOG_QUIET;
            case "error":
                return AV_LOG_ERROR;
            case "warning":
                return AV_LOG_WARNING;
            case "info":
                return AV_LOG_INFO;
            case "debug":
                return AV_LOG_DEBUG;
            default:
                return AV_LOG_FATAL;
        }
    }
}
