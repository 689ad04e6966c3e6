package io.vxflow.gpu.trt;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UTFDataFormatException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The on-disk form of one cached engine: a header saying what the plan was built for and how to
 * prove it intact, then TensorRT's serialized plan. Big-endian, as {@link java.io.DataOutput}
 * writes it:
 *
 * <pre>
 *   8 bytes   magic "VXTRTENG"
 *   int       format version (2; 1 lacked the builder settings)
 *   UTF       model SHA-256, hex            \
 *   int       TensorRT version (100600)     |
 *   int       TensorRT build number         |
 *   UTF       GPU name                      |  the {@link EngineKey}
 *   int, int  compute capability            |
 *   UTF       precision (FP16, FP32)        |
 *   int       max batch                     |
 *   UTF       input type (FLOAT16, FLOAT32) |
 *   long      workspace minimum, MiB        |
 *   long      workspace maximum, MiB        |
 *   int, int  profile min and opt batch     |
 *   int       number of builder flags       |
 *   UTF ...   each flag (+FP16, -TF32)      /
 *   long      plan length in bytes
 *   32 bytes  SHA-256 of the plan
 *   ...       the plan
 * </pre>
 *
 * <p>A reader trusts nothing: wrong magic or version, a key other than the one asked for, a length
 * that disagrees with the file's size, or a checksum mismatch each make the file unusable, with
 * the reason. Writes go to a temporary file in the same directory, forced to disk, then moved over
 * the target atomically, so a reader never sees half a file. Plans must be under 2 GiB.
 */
final class EngineFile {
    static final byte[] MAGIC = "VXTRTENG".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 2;
    /** Each flag is a short name; more than this many means a damaged header. */
    private static final int MAX_FLAGS = 64;
    private static final int DIGEST_BYTES = 32;
    private static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 64;

    /** A cache file that exists but must not be deserialized; the message says why. */
    static final class UnusableException extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableException(String reason) {
            super(reason);
        }
    }

    private EngineFile() {}

    /** Writes {@code plan} for {@code key} to {@code file}, atomically. */
    static void write(Path file, EngineKey key, byte[] plan) throws IOException {
        byte[] header = header(key, plan);
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString() + ".", ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(out, ByteBuffer.wrap(header));
                writeFully(out, ByteBuffer.wrap(plan));
                out.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The plan in {@code file}, if it is intact and was built for {@code expected}.
     *
     * @throws java.nio.file.NoSuchFileException when there is no such file (a plain cache miss)
     * @throws UnusableException when the file is there but must not be used
     */
    static byte[] read(Path file, EngineKey expected) throws IOException, UnusableException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new UnusableException("file of " + size + " bytes is larger than vxflow reads (2 GiB)");
        }
        byte[] all = Files.readAllBytes(file);
        ByteArrayInputStream bytes = new ByteArrayInputStream(all);
        DataInputStream in = new DataInputStream(bytes);
        try {
            EngineKey key = readKey(in);
            List<String> differences = expected.differencesFrom(key);
            if (!differences.isEmpty()) {
                throw new UnusableException("built for another key: " + String.join("; ", differences));
            }
            long length = in.readLong();
            byte[] digest = new byte[DIGEST_BYTES];
            in.readFully(digest);
            int offset = all.length - bytes.available();
            if (length != all.length - offset) {
                throw new UnusableException("header says the plan has " + length + " bytes but " + (all.length - offset)
                        + " follow it (truncated or appended to)");
            }
            if (!MessageDigest.isEqual(digest, sha256(all, offset, (int) length))) {
                throw new UnusableException("plan checksum mismatch: the file is corrupt");
            }
            return Arrays.copyOfRange(all, offset, all.length);
        } catch (EOFException e) {
            throw new UnusableException("truncated header");
        }
    }

    /** The key in {@code file}'s header, reading only the header. */
    static EngineKey readKey(Path file) throws IOException, UnusableException {
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
            return readKey(in);
        } catch (EOFException e) {
            throw new UnusableException("truncated header");
        }
    }

    private static EngineKey readKey(DataInputStream in) throws IOException, UnusableException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new UnusableException("not a vxflow engine file (magic " + HexFormat.of().formatHex(magic) + ")");
        }
        int version = in.readInt();
        if (version == 1) {
            throw new UnusableException("engine file format 1, from an older vxflow whose cache key left out the builder settings;"
                    + " this vxflow reads format " + FORMAT_VERSION);
        }
        if (version != FORMAT_VERSION) {
            throw new UnusableException("engine file format " + version + "; this vxflow reads format " + FORMAT_VERSION);
        }
        try {
            String model = in.readUTF();
            int trtVersion = in.readInt(), trtBuild = in.readInt();
            String gpu = in.readUTF();
            int ccMajor = in.readInt(), ccMinor = in.readInt();
            Precision precision = Precision.valueOf(in.readUTF());
            int maxBatch = in.readInt();
            TensorDataType inputType = TensorDataType.valueOf(in.readUTF());
            long workspaceMin = in.readLong(), workspaceMax = in.readLong();
            int profileMin = in.readInt(), profileOpt = in.readInt();
            int flagCount = in.readInt();
            if (flagCount < 0 || flagCount > MAX_FLAGS) {
                throw new UnusableException("corrupt header: " + flagCount + " builder flags");
            }
            List<String> flags = new ArrayList<>(flagCount);
            for (int i = 0; i < flagCount; i++) {
                flags.add(in.readUTF());
            }
            return new EngineKey(model, trtVersion, trtBuild, gpu, ccMajor, ccMinor, precision, maxBatch, inputType,
                    new BuildSettings(workspaceMin, workspaceMax, profileMin, profileOpt, flags));
        } catch (UTFDataFormatException | IllegalArgumentException e) {
            throw new UnusableException("corrupt header: " + e.getMessage());
        }
    }

    private static byte[] header(EngineKey key, byte[] plan) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeUTF(key.modelSha256());
        out.writeInt(key.tensorRtVersion());
        out.writeInt(key.tensorRtBuild());
        out.writeUTF(key.gpuName());
        out.writeInt(key.ccMajor());
        out.writeInt(key.ccMinor());
        out.writeUTF(key.precision().name());
        out.writeInt(key.maxBatch());
        out.writeUTF(key.inputType().name());
        BuildSettings build = key.build();
        out.writeLong(build.workspaceMinMib());
        out.writeLong(build.workspaceMaxMib());
        out.writeInt(build.profileMinBatch());
        out.writeInt(build.profileOptBatch());
        out.writeInt(build.flags().size());
        for (String flag : build.flags()) {
            out.writeUTF(flag);
        }
        out.writeLong(plan.length);
        out.write(sha256(plan, 0, plan.length));
        out.flush();
        return bytes.toByteArray();
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    static byte[] sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, offset, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
