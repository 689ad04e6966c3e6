package io.vxflow.gpu.synthetic;

import static org.bytedeco.ffmpeg.global.avcodec.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * Encodes the {@link SyntheticScene} into H.264 or HEVC access units with FFmpeg, in decode order,
 * Annex-B with parameter sets in-band before each keyframe (unless a global header is asked for, as
 * MP4 needs). Pictures are BT.709 limited range 4:2:0, rendered straight into YUV.
 *
 * <p>Owns a {@link PictureEncoder} (FFmpeg's encoder context, frame and packet). Profiles:
 *
 * <ul>
 *   <li>{@link Profile#BASELINE}: libopenh264, constrained baseline; in every FFmpeg build vxflow
 *       ships;
 *   <li>{@link Profile#HIGH_BFRAMES}: libx264, High profile with 3 B-frames; only in FFmpeg's GPL
 *       build (the tests use it);
 *   <li>{@link Profile#HEVC_MAIN}: libx265, Main profile with B-frames; GPL build only.
 * </ul>
 */
public final class SyntheticVideoEncoder implements AutoCloseable {

    /** An encoder configuration; {@link #isAvailable()} says whether this FFmpeg build has it. */
    public enum Profile {
        BASELINE("libopenh264", Codec.H264),
        HIGH_BFRAMES("libx264", Codec.H264),
        HEVC_MAIN("libx265", Codec.HEVC);

        public final String encoder;
        public final Codec codec;

        Profile(String encoder, Codec codec) {
            this.encoder = encoder;
            this.codec = codec;
        }

        public boolean isAvailable() {
            return avcodec_find_encoder_by_name(encoder) != null;
        }
    }

    private static final int FPS = SyntheticScene.FPS;
    private final Profile profile;
    private final PictureEncoder encoder;
    private final byte[] index = new byte[SyntheticScene.WIDTH * SyntheticScene.HEIGHT];
    private final byte[][] yuvPalette = yuvPalette();
    private final byte[] lumaRow = new byte[SyntheticScene.WIDTH];
    private final byte[] chromaRowU = new byte[SyntheticScene.WIDTH / 2];
    private final byte[] chromaRowV = new byte[SyntheticScene.WIDTH / 2];

    /**
     * @param gop frames between keyframes
     * @param bitrate bits per second
     * @param globalHeader parameter sets in extradata (for MP4/MKV) instead of in-band
     */
    public SyntheticVideoEncoder(Profile profile, int gop, long bitrate, boolean globalHeader) {
        this.profile = profile;
        Map<String, String> options = switch (profile) {
            case HIGH_BFRAMES -> Map.of("preset", "veryfast",
                    "x264-params", "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:bframes=3:b-adapt=0:open-gop=0");
            case HEVC_MAIN -> Map.of("preset", "ultrafast",
                    "x265-params", "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:bframes=3:open-gop=0:log-level=error");
            default -> Map.of("allow_skip_frames", "0");
        };
        encoder = new PictureEncoder(profile.encoder, profile.codec, FPS, c -> {
            c.width(SyntheticScene.WIDTH).height(SyntheticScene.HEIGHT).pix_fmt(AV_PIX_FMT_YUV420P).gop_size(gop).bit_rate(bitrate);
            c.colorspace(AVCOL_SPC_BT709).color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709).color_range(AVCOL_RANGE_MPEG);
            c.thread_count(profile == Profile.BASELINE ? 1 : 2).max_b_frames(profile == Profile.BASELINE ? 0 : 3);
            if (globalHeader) {
                c.flags(c.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
            }
        }, options, SyntheticVideoEncoder::ptsMicros);
    }

    /** A convenience: {@code frames} frames from frame 0, flushed, 30 frames per keyframe, 4 Mbit/s. */
    public static List<AccessUnit> encode(Profile profile, int frames) {
        try (SyntheticVideoEncoder e = new SyntheticVideoEncoder(profile, FPS, 4_000_000, false)) {
            List<AccessUnit> out = new ArrayList<>(e.encode(0, frames));
            out.addAll(e.flush());
            return out;
        }
    }

    public Profile profile() {
        return profile;
    }

    /** Presentation time of a frame in microseconds. */
    public static long ptsMicros(long frameIndex) {
        return frameIndex * 1_000_000L / FPS;
    }

    /** Frame index of a presentation time in microseconds (inverse of {@link #ptsMicros}). */
    public static long frameIndex(long ptsMicros) {
        return (ptsMicros * FPS + 999_999L) / 1_000_000L;
    }

    /** Encodes scene frames {@code first .. first+count-1}; returns the access units ready so far. */
    public List<AccessUnit> encode(long first, int count) {
        return encoder.encode(first, count, this::render);
    }

    /** Drains the encoder (the B-frames it held back). */
    public List<AccessUnit> flush() {
        return encoder.flush();
    }

    /** The codec's global header (SPS/PPS), when opened with {@code globalHeader}. */
    public byte[] extradata() {
        AVCodecContext context = encoder.context();
        int n = context.extradata_size();
        byte[] b = new byte[n];
        if (n > 0) {
            context.extradata().get(b);
        }
        return b;
    }

    /** The encoder context, for muxers that copy its parameters. */
    public AVCodecContext context() {
        return encoder.context();
    }

    private void render(AVFrame frame, long f) {
        SyntheticScene.renderIndex(f, index);
        int w = SyntheticScene.WIDTH, h = SyntheticScene.HEIGHT;
        BytePointer y = frame.data(0), u = frame.data(1), v = frame.data(2);
        int ys = frame.linesize(0), us = frame.linesize(1), vs = frame.linesize(2);
        byte[] lum = yuvPalette[0], cb = yuvPalette[1], cr = yuvPalette[2];
        for (int row = 0; row < h; row++) {
            int base = row * w;
            for (int x = 0; x < w; x++) {
                lumaRow[x] = lum[index[base + x]];
            }
            y.position((long) row * ys).put(lumaRow, 0, w);
        }
        for (int row = 0; row < h / 2; row++) {
            int a = 2 * row * w, b = a + w;
            for (int x = 0; x < w / 2; x++) {
                int i0 = index[a + 2 * x], i1 = index[a + 2 * x + 1], i2 = index[b + 2 * x], i3 = index[b + 2 * x + 1];
                chromaRowU[x] = (byte) (((cb[i0] & 0xFF) + (cb[i1] & 0xFF) + (cb[i2] & 0xFF) + (cb[i3] & 0xFF) + 2) >> 2);
                chromaRowV[x] = (byte) (((cr[i0] & 0xFF) + (cr[i1] & 0xFF) + (cr[i2] & 0xFF) + (cr[i3] & 0xFF) + 2) >> 2);
            }
            u.position((long) row * us).put(chromaRowU, 0, w / 2);
            v.position((long) row * vs).put(chromaRowV, 0, w / 2);
        }
        y.position(0);
        u.position(0);
        v.position(0);
    }

    /** Y, U and V of each palette colour ({@link SyntheticScene#palette()}): BT.709, limited range. */
    public static byte[][] yuvPalette() {
        int[][] pal = SyntheticScene.palette();
        byte[][] out = new byte[3][pal.length];
        double kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
        for (int i = 0; i < pal.length; i++) {
            double r = pal[i][0] / 255.0, g = pal[i][1] / 255.0, b = pal[i][2] / 255.0;
            double yy = kr * r + kg * g + kb * b;
            out[0][i] = (byte) Math.round(16 + 219 * yy);
            out[1][i] = (byte) Math.round(128 + 224 * (b - yy) / (2 * (1 - kb)));
            out[2][i] = (byte) Math.round(128 + 224 * (r - yy) / (2 * (1 - kr)));
        }
        return out;
    }

    @Override
    public void close() {
        encoder.close();
    }
}
