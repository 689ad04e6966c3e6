package io.vxflow.operators.decode;

import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.synthetic.PictureEncoder;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * The real access units the fuzzer starts from: small clips (a moving, textured square over a moving
 * ramp, so that P- and B-frames carry motion and residuals) encoded by libx264 and libx265 from
 * FFmpeg's GPL build, Annex-B with parameter sets before every keyframe, 30 frames per second.
 * Encoded with one thread each, so the same clip comes out byte for byte on every run: a seed then
 * names the same fuzz run everywhere.
 */
final class FuzzCorpus {
    /** One encoded clip: its access units in decode order, pts from 0 at 30 fps. */
    record Clip(String name, Codec codec, int width, int height, int gop, boolean bFrames, List<AccessUnit> units) {
        /** pts span of one pass through the clip: where the next pass starts. */
        long periodMicros() {
            return units.size() * FRAME_MICROS;
        }
    }

    static final long FRAME_MICROS = 1_000_000L / 30;

    private FuzzCorpus() {}

    /**
     * The clips: H.264 High with B-frames and HEVC with B-frames at 320x240 (the main material),
     * H.264 without B-frames at 176x144 and HEVC without B-frames at 256x144 (other sizes and
     * reorder depths to splice from and switch to).
     */
    static List<Clip> clips(int frames) {
        return List.of(encode("h264-b-320x240", Codec.H264, 320, 240, 12, true, frames),
                encode("hevc-b-320x240", Codec.HEVC, 320, 240, 12, true, frames),
                encode("h264-p-176x144", Codec.H264, 176, 144, 10, false, frames),
                encode("hevc-p-256x144", Codec.HEVC, 256, 144, 10, false, frames));
    }

    static Clip encode(String name, Codec codec, int width, int height, int gop, boolean bFrames, int frames) {
        String encoderName = codec == Codec.H264 ? "libx264" : "libx265";
        String common = "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:open-gop=0:bframes=" + (bFrames ? 3 : 0);
        List<AccessUnit> out;
        try (PictureEncoder encoder = new PictureEncoder(encoderName, codec, 30,
                c -> c.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P).gop_size(gop).max_b_frames(bFrames ? 3 : 0).thread_count(1),
                codec == Codec.H264 ? Map.of("preset", "veryfast", "x264-params", common + ":b-adapt=0:threads=1:sliced-threads=0")
                        : Map.of("preset", "veryfast", "x265-params", common + ":b-adapt=0:pools=none:frame-threads=1:log-level=error"),
                pts -> pts * FRAME_MICROS)) {
            out = encoder.encodeAll(0, frames, (frame, f) -> paint(frame, (int) f));
        }
        if (out.size() != frames || !out.get(0).keyframe()) {
            throw new IllegalStateException(name + ": " + out.size() + " access units for " + frames + " frames");
        }
        return new Clip(name, codec, width, height, gop, bFrames, List.copyOf(out));
    }

    /** A ramp moving right, a textured square moving diagonally, chroma drifting: motion everywhere. */
    private static void paint(AVFrame frame, int f) {
        int w = frame.width(), h = frame.height();
        int side = h / 3, sx = (f * 5) % (w - side), sy = (f * 3) % (h - side);
        for (int p = 0; p < 3; p++) {
            int pw = p == 0 ? w : (w + 1) / 2, ph = p == 0 ? h : (h + 1) / 2, shift = p == 0 ? 0 : 1;
            BytePointer plane = frame.data(p);
            byte[] row = new byte[pw];
            for (int y = 0; y < ph; y++) {
                for (int x = 0; x < pw; x++) {
                    int fx = x << shift, fy = y << shift;
                    boolean inSquare = fx >= sx && fx < sx + side && fy >= sy && fy < sy + side;
                    int v = inSquare ? 60 + ((fx - sx) * 7 ^ (fy - sy) * 13) % 140 : (fx + 2 * fy + 4 * f + 50 * p) % 200 + 16;
                    row[x] = (byte) v;
                }
                plane.position((long) y * frame.linesize(p)).put(row, 0, pw);
            }
            plane.position(0);
        }
    }
}
