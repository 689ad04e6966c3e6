package io.vxflow.connectors.frames;

import java.io.Serializable;
import java.util.function.Consumer;

/**
 * Reads frames-topic records again, by partition and offset range: how a restored decoder (or one
 * drained after a silence) gets back the access units since its stream's last keyframe. Kafka keeps
 * them durably, so checkpoints hold only offsets, never the bytes.
 *
 * <p>Implementations are opened on the TaskManager through a serializable {@link Factory} and used
 * from one thread at a time.
 */
public interface FrameReplaySource extends AutoCloseable {
    /**
     * Hands {@code sink} every record of {@code partition} from offset {@code from} to {@code to},
     * both inclusive, in offset order, parsed as the job's source parses them.
     *
     * @return the first offset that was still available: {@code from} when the whole range was read,
     *     more when retention has deleted its beginning (the records before it are lost to replay)
     * @throws ReplayException when the range cannot be read at all (broker unreachable, topic gone)
     */
    long read(int partition, long from, long to, Consumer<FrameRecord> sink) throws ReplayException;

    @Override
    void close();

    /** Opens a source on the TaskManager. */
    interface Factory extends Serializable {
        FrameReplaySource open();
    }

    /** A range that could not be read; the message says why. */
    final class ReplayException extends Exception {
        private static final long serialVersionUID = 1L;

        public ReplayException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
