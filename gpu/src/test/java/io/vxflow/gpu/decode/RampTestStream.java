package io.vxflow.gpu.decode;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.synthetic.PictureEncoder;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * H.264 and HEVC test streams in pixel formats and sizes the synthetic scene does not cover (10-bit
 * 4:2:0, 4:2:2, odd resolutions), from libx264 and libx265 in FFmpeg's GPL build: a moving diagonal
 * ramp, keyframe every 10 frames, no B-frames, Annex-B with parameter sets in-band, 30 frames per
 * second.
 */
public final class RampTestStream {
    private RampTestStream() {}

    /** Whether this FFmpeg build has the encoder of {@code codec} (libx264 or libx265). */
    public static boolean isAvailable(Codec codec) {
        return avcodec_find_encoder_by_name(encoderName(codec)) != null;
    }

    /** Why {@link #isAvailable} is false, for assumptions. */
    public static String unavailable(Codec codec) {
        return "needs " + encoderName(codec) + " (FFmpeg's GPL build on the test class path)";
    }

    /**
     * {@code frames} access units of {@code codec} in decode order, pts from {@code firstFrame} at
     * 30 fps; {@code avPixelFormat} is FFmpeg's, e.g. {@code AV_PIX_FMT_YUV420P10LE} for 10 bits.
     */
    public static List<AccessUnit> encode(Codec codec, int avPixelFormat, int width, int height, int frames, long firstFrame) {
        return encode(codec, avPixelFormat, width, height, frames, firstFrame, "");
    }

    /**
     * As {@link #encode(Codec, int, int, int, int, long)}, with more of the encoder's own parameters
     * ({@code x264-params} or {@code x265-params} syntax, e.g. {@code "interlaced=1:cqm=jvt"}).
     */
    public static List<AccessUnit> encode(Codec codec, int avPixelFormat, int width, int height, int frames, long firstFrame,
            String encoderParams) {
        if (!isAvailable(codec)) {
            throw new IllegalStateException(unavailable(codec));
        }
        String params = codec == Codec.H264 ? "keyint=10:min-keyint=10:scenecut=0" : "keyint=10:min-keyint=10:scenecut=0:bframes=0:log-level=error";
        try (PictureEncoder encoder = new PictureEncoder(encoderName(codec), codec, 30,
                c -> c.width(width).height(height).pix_fmt(avPixelFormat).gop_size(10).max_b_frames(0).thread_count(2),
                Map.of("preset", "ultrafast", codec == Codec.H264 ? "x264-params" : "x265-params", params + extra(encoderParams)),
                pts -> pts * 1_000_000L / 30)) {
            return encoder.encodeAll(firstFrame, frames, RampTestStream::paint);
        }
    }

    /** A ramp moving by 3 per frame, every plane, in the frame's sample size and range. */
    private static void paint(AVFrame frame, long f) {
        boolean wide = av_get_pix_fmt_name(frame.format()).getString().contains("10");
        int bytes = wide ? 2 : 1;
        int modulo = wide ? 1024 : 256;
        int[] chromaShift = chromaShift(frame.format());
        for (int p = 0; p < 3; p++) {
            int w = p == 0 ? frame.width() : (frame.width() + (1 << chromaShift[0]) - 1) >> chromaShift[0];
            int h = p == 0 ? frame.height() : (frame.height() + (1 << chromaShift[1]) - 1) >> chromaShift[1];
            BytePointer plane = frame.data(p);
            byte[] row = new byte[w * bytes];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = (int) ((x + 2L * y + 3 * f + 40 * p) % modulo);
                    row[x * bytes] = (byte) v;
                    if (wide) {
                        row[x * bytes + 1] = (byte) (v >> 8);
                    }
                }
                plane.position((long) y * frame.linesize(p)).put(row, 0, row.length);
            }
            plane.position(0);
        }
    }

    private static int[] chromaShift(int avPixelFormat) {
        String name = av_get_pix_fmt_name(avPixelFormat).getString();
        if (name.startsWith("yuv444")) {
            return new int[] {0, 0};
        }
        return name.startsWith("yuv422") ? new int[] {1, 0} : new int[] {1, 1};
    }

    private static String extra(String params) {
        return params == null || params.isEmpty() ? "" : ":" + params;
    }

    private static String encoderName(Codec codec) {
        return codec == Codec.H264 ? "libx264" : "libx265";
    }
}
