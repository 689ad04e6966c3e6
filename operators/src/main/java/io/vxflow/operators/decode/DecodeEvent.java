package io.vxflow.operators.decode;

import io.vxflow.codec.DecodeError;
import io.vxflow.gpu.decode.DecodedFrame;

/**
 * What a decode worker reports about one stream, in the stream's order, for the task thread to act
 * on: the worker decodes, the task thread decides what is emitted (exactly once, in order) and counts.
 */
sealed interface DecodeEvent {
    /** Where a decoded picture comes from, which decides what the task thread does with one it emitted before. */
    enum Origin {
        /** Decoded from a unit as it arrived: it goes out, whatever its pts. */
        LIVE,
        /**
         * Decoded from units read again (a restore, a drained stream resuming mid-GOP), also when it comes out
         * of the decoder after the replay ended: one emitted before is withheld silently.
         */
        REPLAYED,
        /**
         * Decoded after a replay, before a frame of a GOP that began after it is out: one at or before the
         * last emitted pts was overtaken by an idle drain and is withheld and counted, so the stream stays
         * in order and unique.
         */
        GUARDED
    }

    /**
     * A decoded picture.
     *
     * @param ingestMillis when its access unit reached Kafka
     * @param decodeNanos worker time spent on the access unit that produced it
     * @param origin see {@link Origin}
     * @param engine what decoded it ({@code nvdec}, {@code cpu-fallback}, {@code cpu})
     */
    record Frame(DecodedFrame frame, long ingestMillis, long decodeNanos, Origin origin, String engine) implements DecodeEvent {}

    /** An access unit that was not decoded because the job is behind (overload policy {@code drop}), in pts order. */
    record Skipped(long pts, long ingestMillis) implements DecodeEvent {}

    /** Input the stream could not use; it waits for its next keyframe. */
    record BadInput(DecodeError reason, String detail, String consequence) implements DecodeEvent {}

    /** A failure that is not the stream's fault (a CUDA error): the task fails and Flink restarts it. */
    record Failure(RuntimeException cause) implements DecodeEvent {}
}
