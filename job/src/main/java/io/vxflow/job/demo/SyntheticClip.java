package io.vxflow.job.demo;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's synthetic 1080p30 H.264 clip (constrained baseline, 4 Mbit/s, a keyframe a second),
 * encoded once and cached under {@code ~/.cache/vxflow} in a small binary file (magic, count, then
 * per access unit: pts, keyframe flag, length, bytes); for {@code vxflow produce}, also as a raw
 * Annex-B {@code .h264} file beside it.
 */
public final class SyntheticClip {
    /** Its frame rate: {@code vxflow produce --fps} for the raw file, which carries no timestamps. */
    public static final int FPS = io.vxflow.gpu.synthetic.SyntheticScene.FPS;
    private static final int MAGIC = 0x76786331; // "vxc1"

    private SyntheticClip() {}

    /**
     * The first {@code frames} frames as a raw H.264 Annex-B elementary stream file (the access units
     * back to back, parameter sets in-band before each keyframe), written once to the cache.
     */
    public static Path annexBFile(int frames, Path cacheDir) throws IOException {
        Path file = cacheDir.resolve("synthetic-1080p30-baseline-" + frames + ".h264");
        if (Files.isRegularFile(file)) {
            return file;
        }
        List<AccessUnit> units = load(frames, cacheDir);
        Path tmp = Files.createTempFile(cacheDir, "clip", ".tmp");
        try (BufferedOutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
            for (AccessUnit u : units) {
                out.write(u.data());
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    public static List<AccessUnit> load(int frames, Path cacheDir) throws IOException {
        Path file = cacheDir.resolve("synthetic-1080p30-baseline-" + frames + ".vxc");
        if (Files.isRegularFile(file)) {
            try {
                return read(file);
            } catch (IOException e) {
                Files.deleteIfExists(file); // a truncated cache from an interrupted run: make it again
            }
        }
        List<AccessUnit> units = SyntheticVideoEncoder.encode(SyntheticVideoEncoder.Profile.BASELINE, frames);
        Files.createDirectories(cacheDir);
        Path tmp = Files.createTempFile(cacheDir, "clip", ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.writeInt(MAGIC);
            out.writeInt(units.size());
            for (AccessUnit u : units) {
                out.writeLong(u.ptsMicros());
                out.writeBoolean(u.keyframe());
                out.writeInt(u.data().length);
                out.write(u.data());
            }
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return units;
    }

    private static List<AccessUnit> read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a clip cache");
            }
            int n = in.readInt();
            List<AccessUnit> units = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                long pts = in.readLong();
                boolean key = in.readBoolean();
                byte[] data = new byte[in.readInt()];
                in.readFully(data);
                units.add(new AccessUnit(Codec.H264, pts, key, data));
            }
            return units;
        }
    }
}
