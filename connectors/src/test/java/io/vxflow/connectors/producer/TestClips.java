package io.vxflow.connectors.producer;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The producer tests' video: the synthetic 1080p30 scene encoded once per profile and JVM, both with
 * in-band parameter sets (for MPEG-TS and raw files) and with a global header (for MP4 and MKV),
 * and written into files on demand. Owns the cache of encoded clips.
 */
final class TestClips {
    static final int FRAMES = 36;
    static final int GOP = 12;
    static final int FPS = SyntheticScene.FPS;

    /** One profile's encoded clip: the same pictures with parameter sets in-band and in a global header. */
    record Clip(Profile profile, List<AccessUnit> inBand, List<AccessUnit> globalHeader, byte[] extradata) {
        Codec codec() {
            return profile.codec;
        }
    }

    private static final Map<Profile, Clip> CLIPS = new EnumMap<>(Profile.class);

    private TestClips() {}

    static synchronized Clip of(Profile profile) {
        return CLIPS.computeIfAbsent(profile, TestClips::encode);
    }

    private static Clip encode(Profile profile) {
        List<AccessUnit> inBand = encode(profile, false).units;
        Encoded global = encode(profile, true);
        return new Clip(profile, inBand, global.units, global.extradata);
    }

    private record Encoded(List<AccessUnit> units, byte[] extradata) {}

    private static Encoded encode(Profile profile, boolean globalHeader) {
        try (SyntheticVideoEncoder e = new SyntheticVideoEncoder(profile, GOP, 2_000_000, globalHeader)) {
            List<AccessUnit> units = new ArrayList<>(e.encode(0, FRAMES));
            units.addAll(e.flush());
            return new Encoded(units, e.extradata());
        }
    }

    /** Whether files of this extension store the parameter sets in a global header. */
    static boolean usesGlobalHeader(String extension) {
        return extension.equals("mp4") || extension.equals("mkv");
    }

    /** Writes the clip as {@code <dir>/<profile>.<extension>} with FFmpeg's muxer for that extension. */
    static Path write(Clip clip, Path dir, String extension) {
        boolean global = usesGlobalHeader(extension);
        VideoFileWriter.StreamHeader header = VideoFileWriter.StreamHeader.of(clip.codec(), SyntheticScene.WIDTH,
                SyntheticScene.HEIGHT, FPS, global ? clip.extradata() : null);
        List<AccessUnit> units = global ? clip.globalHeader() : clip.inBand();
        return VideoFileWriter.write(dir.resolve(clip.profile() + "." + extension), header,
                VideoFileWriter.samples(units));
    }

    /** The raw Annex-B extension for a codec. */
    static String rawExtension(Codec codec) {
        return codec == Codec.H264 ? "h264" : "h265";
    }

    /** The NAL unit types of an Annex-B access unit, in order (scanned independently of NalUnits). */
    static List<Integer> nalTypes(byte[] data, Codec codec) {
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i + 3 < data.length; i++) {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
                int header = data[i + 3] & 0xFF;
                types.add(codec == Codec.H264 ? header & 0x1F : (header >> 1) & 0x3F);
                i += 3;
            }
        }
        return types;
    }

    /** The NAL unit types without access unit delimiters. */
    static List<Integer> nalTypesWithoutDelimiters(byte[] data, Codec codec) {
        int aud = codec == Codec.H264 ? 9 : 35;
        List<Integer> types = nalTypes(data, codec);
        types.removeIf(t -> t == aud);
        return types;
    }

    /** The access unit without its parameter set NAL units, as if they had been sent only once. */
    static byte[] withoutParameterSets(byte[] data, Codec codec) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(data.length);
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i + 3 < data.length; i++) {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
                starts.add(i > 0 && data[i - 1] == 0 ? i - 1 : i);
                i += 3;
            }
        }
        starts.add(data.length);
        for (int n = 0; n + 1 < starts.size(); n++) {
            int from = starts.get(n), to = starts.get(n + 1);
            int header = data[data[from + 2] == 1 ? from + 3 : from + 4] & 0xFF;
            int type = codec == Codec.H264 ? header & 0x1F : (header >> 1) & 0x3F;
            boolean parameterSet = codec == Codec.H264 ? type == 7 || type == 8 : type >= 32 && type <= 34;
            if (!parameterSet) {
                out.write(data, from, to - from);
            }
        }
        return out.toByteArray();
    }
}
