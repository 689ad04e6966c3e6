package io.vxflow.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

/**
 * Durable checkpoints for {@code vxflow run --checkpoint-dir DIR}: file-system checkpoint storage in
 * DIR, retained when the job is cancelled or fails, and the latest completed one found again when
 * the same command starts anew. Flink lays checkpoints out as {@code DIR/<job id>/chk-<n>/_metadata};
 * the metadata file is written last, so a checkpoint with one is complete.
 */
public final class CheckpointDirectory {
    private CheckpointDirectory() {}

    /** The directory as a URI: a plain path is made absolute ({@code file://}). */
    public static URI uri(String dir) {
        if (dir.contains("://")) {
            return URI.create(dir);
        }
        return Path.of(dir).toAbsolutePath().normalize().toUri();
    }

    /** Settings for the job: file-system checkpoint storage in {@code dir}, retained on cancellation. */
    public static Configuration storage(String dir) {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, uri(dir).toString());
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        return c;
    }

    /** The newest completed checkpoint under {@code dir} (its directory), or empty when there is none. */
    public static Optional<String> latest(String dir) {
        try {
            org.apache.flink.core.fs.Path root = new org.apache.flink.core.fs.Path(uri(dir));
            FileSystem fs = root.getFileSystem();
            if (!fs.exists(root)) {
                return Optional.empty();
            }
            String best = null;
            long bestTime = Long.MIN_VALUE;
            for (FileStatus job : list(fs, root)) {
                if (!job.isDir()) {
                    continue;
                }
                for (FileStatus chk : list(fs, job.getPath())) {
                    org.apache.flink.core.fs.Path metadata = new org.apache.flink.core.fs.Path(chk.getPath(), "_metadata");
                    if (chk.isDir() && chk.getPath().getName().startsWith("chk-") && fs.exists(metadata)) {
                        long time = fs.getFileStatus(metadata).getModificationTime();
                        if (time > bestTime) {
                            bestTime = time;
                            best = chk.getPath().toString();
                        }
                    }
                }
            }
            return Optional.ofNullable(best);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for checkpoints in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static FileStatus[] list(FileSystem fs, org.apache.flink.core.fs.Path dir) throws IOException {
        FileStatus[] entries = fs.listStatus(dir);
        return entries == null ? new FileStatus[0] : entries;
    }
}
