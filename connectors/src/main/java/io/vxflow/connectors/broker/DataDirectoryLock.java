package io.vxflow.connectors.broker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a broker's data directory, held from before formatting until the node has
 * stopped. Owns the lock file's channel and lock.
 *
 * <p>Kafka locks a data directory ({@code .lock}) only when its log manager starts, which in a
 * combined node is after the controller has opened, and written to, the metadata log in the same
 * directory. A second node started on a directory in use would therefore append to a live
 * metadata log before failing. This lock is taken first, and also holds against a second broker
 * in the same JVM.
 */
final class DataDirectoryLock implements AutoCloseable {

    static final String FILE_NAME = ".vxflow-broker.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Creates {@code directory} if needed and locks it.
     *
     * @throws BrokerStartException if another broker holds it, or it cannot be created
     */
    static DataDirectoryLock acquire(Path directory) {
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve(FILE_NAME),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = tryLock(channel);
            if (lock == null) {
                throw new BrokerStartException("The Kafka data directory " + directory
                        + " is in use by another broker (in this or another process); stop that broker "
                        + "or choose another directory");
            }
            return new DataDirectoryLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new BrokerStartException("Cannot create or lock the Kafka data directory " + directory
                    + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it as well.
        }
        closeQuietly(channel);
    }

    private static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null; // held by another broker of this JVM
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
