package io.vxflow.it;

import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.synthetic.PictureEncoder;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * Small clips for churn tests: 320x240, a keyframe every 10 frames, from libx264 (High, with or
 * without B-frames) and libx265 (with B-frames) of FFmpeg's GPL build; a bar moving over a ramp.
 * Units in decode order with pts = frame number (the producer turns them into wire pts).
 */
final class ChurnClips {
    static final int WIDTH = 320;
    static final int HEIGHT = 240;

    private ChurnClips() {}

    /** The churn test's clips: H.264 with B-frames, HEVC with B-frames, H.264 without. */
    static List<List<AccessUnit>> all(int frames) {
        return List.of(encode(Codec.H264, true, frames), encode(Codec.HEVC, true, frames), encode(Codec.H264, false, frames));
    }

    static List<AccessUnit> encode(Codec codec, boolean bFrames, int frames) {
        String name = codec == Codec.H264 ? "libx264" : "libx265";
        String params = "keyint=10:min-keyint=10:scenecut=0:open-gop=0:bframes=" + (bFrames ? 3 : 0);
        try (PictureEncoder encoder = new PictureEncoder(name, codec, 30,
                c -> c.width(WIDTH).height(HEIGHT).pix_fmt(AV_PIX_FMT_YUV420P).gop_size(10).max_b_frames(bFrames ? 3 : 0).thread_count(1),
                codec == Codec.H264 ? Map.of("preset", "veryfast", "x264-params", params)
                        : Map.of("preset", "veryfast", "x265-params", params + ":pools=none:frame-threads=1:log-level=error"),
                pts -> pts)) {
            return List.copyOf(encoder.encodeAll(0, frames, (frame, f) -> paint(frame, (int) f)));
        }
    }

    private static void paint(AVFrame frame, int f) {
        for (int p = 0; p < 3; p++) {
            int w = p == 0 ? WIDTH : WIDTH / 2, h = p == 0 ? HEIGHT : HEIGHT / 2, s = p == 0 ? 1 : 2;
            BytePointer plane = frame.data(p);
            byte[] row = new byte[w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean bar = Math.abs(x * s - (f * 7) % WIDTH) < 24;
                    row[x] = (byte) (bar ? 235 - 40 * p : (x * s + y * s + 3 * f + 60 * p) % 200 + 16);
                }
                plane.position((long) y * frame.linesize(p)).put(row, 0, w);
            }
            plane.position(0);
        }
    }
}
