package io.vxflow.it;

import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.synthetic.PictureEncoder;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * The synthetic scene ({@link SyntheticScene}: three coloured squares on moving stripes) sampled
 * down to a small picture and encoded once into a short clip of closed GOPs, so that many streams
 * can be published in real time on a small machine and still carry known boxes. Owns the encoded
 * access units (decode order, Annex-B, parameter sets in-band before every keyframe).
 *
 * <p>The picture is the 1080p scene sampled at pixel centres (nearest), so at 640x360 the model sees
 * the same letterboxed picture as at 1080p and the boxes are the scene's placements divided by 3.
 * GOPs are closed ({@code open-gop=0}, fixed keyint, no scene cut), so the clip can be cut at any
 * keyframe and looped: {@link #rotated} starts it at another keyframe.
 */
final class SceneClip {
    /** Box tolerance at 1080p ({@link KnownBoxes#TOLERANCE}), scaled with the picture below. */
    private static final float TOLERANCE_1080P = KnownBoxes.TOLERANCE;

    final Profile profile;
    final int width;
    final int height;
    final int fps;
    final int gop;
    final int frames;
    /** Access units in decode order; {@code ptsMicros} is the clip frame index at {@link #fps}. */
    final List<AccessUnit> units;

    private SceneClip(Profile profile, int width, int height, int fps, int gop, int frames, List<AccessUnit> units) {
        this.profile = profile;
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.gop = gop;
        this.frames = frames;
        this.units = units;
    }

    private static final java.util.Map<String, SceneClip> CACHE = new java.util.HashMap<>();

    /** {@link #encode}, once per JVM and set of arguments. */
    static synchronized SceneClip of(Profile profile, int width, int height, int fps, int gop, int frames) {
        return CACHE.computeIfAbsent(profile + "/" + width + "x" + height + "/" + fps + "/" + gop + "/" + frames,
                k -> encode(profile, width, height, fps, gop, frames));
    }

    /** Encodes clip frames 0..frames-1 (scene frames of the same index) with the profile's encoder. */
    static SceneClip encode(Profile profile, int width, int height, int fps, int gop, int frames) {
        if (frames % gop != 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("a clip is whole GOPs of an even-sized picture");
        }
        List<AccessUnit> units = new Encoder(profile, width, height, fps, gop).encodeAll(frames);
        SceneClip clip = new SceneClip(profile, width, height, fps, gop, frames, units);
        clip.checkClosedGops();
        return clip;
    }

    /** Clip frame index of an access unit. */
    int clipFrame(AccessUnit u) {
        return (int) Math.round(u.ptsMicros() * fps / 1_000_000.0);
    }

    /** The clip's access units starting at the keyframe of GOP {@code firstGop}, wrapping around. */
    List<AccessUnit> rotated(int firstGop) {
        int start = -1;
        int seen = 0;
        for (int i = 0; i < units.size() && start < 0; i++) {
            if (units.get(i).keyframe() && seen++ == firstGop % (frames / gop)) {
                start = i;
            }
        }
        List<AccessUnit> out = new ArrayList<>(units.subList(start, units.size()));
        out.addAll(units.subList(0, start));
        return out;
    }

    /** Whether a result's detections are the scene's squares in clip frame {@code clipFrame}, scaled to this size. */
    boolean boxesMatch(FrameResult r, long clipFrame) {
        double scale = (double) width / SyntheticScene.WIDTH;
        float tolerance = (float) (TOLERANCE_1080P * scale);
        var want = SyntheticScene.placements(clipFrame);
        if (r.detections().size() != want.size()) {
            return false;
        }
        for (SyntheticScene.Placement p : want) {
            boolean found = r.detections().stream().anyMatch(d -> d.classId() == p.square().classId
                    && Math.abs(d.x1() - p.x1() * scale) <= tolerance && Math.abs(d.y1() - p.y1() * scale) <= tolerance
                    && Math.abs(d.x2() - p.x2() * scale) <= tolerance && Math.abs(d.y2() - p.y2() * scale) <= tolerance);
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** Each keyframe starts a GOP that holds exactly the next {@link #gop} pictures: the clip can be cut there. */
    private void checkClosedGops() {
        int expectedFirst = 0;
        List<Integer> segment = new ArrayList<>();
        for (int i = 0; i <= units.size(); i++) {
            boolean boundary = i == units.size() || (units.get(i).keyframe() && !segment.isEmpty());
            if (boundary) {
                segment.sort(null);
                for (int k = 0; k < segment.size(); k++) {
                    if (segment.get(k) != expectedFirst + k || segment.size() != gop) {
                        throw new IllegalStateException(profile.encoder + " did not produce closed GOPs of " + gop
                                + " frames: " + segment);
                    }
                }
                expectedFirst += gop;
                segment.clear();
            }
            if (i < units.size()) {
                if (segment.isEmpty() && !units.get(i).keyframe()) {
                    throw new IllegalStateException("a GOP of " + profile.encoder + " does not start with a keyframe");
                }
                segment.add(clipFrame(units.get(i)));
            }
        }
        if (expectedFirst != frames) {
            throw new IllegalStateException(profile.encoder + " produced " + expectedFirst + " of " + frames + " frames");
        }
    }

    /** The profile's encoder, opened for one clip, and the scene sampled down to its picture. */
    private static final class Encoder {
        private final Profile profile;
        private final int width;
        private final int height;
        private final int fps;
        private final int gop;
        private final byte[] scene = new byte[SyntheticScene.WIDTH * SyntheticScene.HEIGHT];
        private final byte[][] yuv = SyntheticVideoEncoder.yuvPalette();

        Encoder(Profile profile, int width, int height, int fps, int gop) {
            this.profile = profile;
            this.width = width;
            this.height = height;
            this.fps = fps;
            this.gop = gop;
        }

        List<AccessUnit> encodeAll(int frames) {
            Map<String, String> options = switch (profile) {
                case HIGH_BFRAMES -> Map.of("preset", "veryfast",
                        "x264-params", "keyint=" + gop + ":min-keyint=" + gop + ":scenecut=0:bframes=3:b-adapt=0:open-gop=0");
                case HEVC_MAIN -> Map.of("preset", "ultrafast", "x265-params", "keyint=" + gop + ":min-keyint=" + gop
                        + ":scenecut=0:bframes=3:b-adapt=0:open-gop=0:pools=1:frame-threads=1:log-level=error");
                default -> Map.of("allow_skip_frames", "0");
            };
            try (PictureEncoder encoder = new PictureEncoder(profile.encoder, profile.codec, fps, c -> {
                c.width(width).height(height).pix_fmt(AV_PIX_FMT_YUV420P).gop_size(gop).bit_rate(600_000).thread_count(1);
                c.colorspace(AVCOL_SPC_BT709).color_primaries(AVCOL_PRI_BT709).color_trc(AVCOL_TRC_BT709).color_range(AVCOL_RANGE_MPEG);
                c.max_b_frames(profile == Profile.BASELINE ? 0 : 3);
            }, options, pts -> pts * 1_000_000L / fps)) {
                return encoder.encodeAll(0, frames, (frame, f) -> render(f, frame));
            }
        }

        /** The 1080p scene frame sampled at this picture's pixel centres, straight into YUV 4:2:0. */
        private void render(long f, AVFrame frame) {
            SyntheticScene.renderIndex(f, scene);
            int[] sx = new int[width];
            for (int x = 0; x < width; x++) {
                sx[x] = (int) ((2L * x + 1) * SyntheticScene.WIDTH / (2L * width));
            }
            byte[] row = new byte[width];
            byte[] below = new byte[width];
            byte[] lumaRow = new byte[width];
            byte[] u = new byte[width / 2];
            byte[] v = new byte[width / 2];
            for (int y = 0; y < height; y += 2) {
                sample(y, sx, row);
                sample(y + 1, sx, below);
                put(frame.data(0), (long) y * frame.linesize(0), luma(row, lumaRow));
                put(frame.data(0), (long) (y + 1) * frame.linesize(0), luma(below, lumaRow));
                for (int x = 0; x < width / 2; x++) {
                    int i0 = row[2 * x], i1 = row[2 * x + 1], i2 = below[2 * x], i3 = below[2 * x + 1];
                    u[x] = average(yuv[1], i0, i1, i2, i3);
                    v[x] = average(yuv[2], i0, i1, i2, i3);
                }
                put(frame.data(1), (long) (y / 2) * frame.linesize(1), u);
                put(frame.data(2), (long) (y / 2) * frame.linesize(2), v);
            }
        }

        private void sample(int y, int[] sx, byte[] out) {
            int base = (int) ((2L * y + 1) * SyntheticScene.HEIGHT / (2L * height)) * SyntheticScene.WIDTH;
            for (int x = 0; x < width; x++) {
                out[x] = scene[base + sx[x]];
            }
        }

        private byte[] luma(byte[] index, byte[] out) {
            for (int x = 0; x < width; x++) {
                out[x] = yuv[0][index[x]];
            }
            return out;
        }

        private static byte average(byte[] plane, int i0, int i1, int i2, int i3) {
            return (byte) (((plane[i0] & 0xFF) + (plane[i1] & 0xFF) + (plane[i2] & 0xFF) + (plane[i3] & 0xFF) + 2) >> 2);
        }

        private static void put(BytePointer plane, long offset, byte[] bytes) {
            plane.position(offset).put(bytes, 0, bytes.length);
            plane.position(0);
        }
    }
}
