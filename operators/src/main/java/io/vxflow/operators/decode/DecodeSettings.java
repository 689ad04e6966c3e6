package io.vxflow.operators.decode;

import java.io.Serializable;

/**
 * How the decode stage runs, fixed when the job is built.
 *
 * @param idleFlushMillis silence after which a decoder holding frames for B-frame reordering is
 *     drained, so they come out (0: never)
 * @param evictAfterMillis silence after which a stream's decoder (and NVDEC session) is closed
 * @param stateExpiryMillis silence after which a stream's checkpointed position is deleted too (a
 *     stream returning after that starts its frame numbering again); 0 keeps positions forever
 * @param workers decode worker threads of the TaskManager (shared by its slots)
 * @param maxInFlight access units a slot may have on the workers at once; the task thread waits
 *     (processing its mailbox) beyond that, which is how backpressure reaches Kafka
 * @param overload what happens to frames that are already late
 * @param limits what a producer can make a slot spend (sizes, decoder sessions)
 */
public record DecodeSettings(long idleFlushMillis, long evictAfterMillis, long stateExpiryMillis, int workers, int maxInFlight,
        OverloadPolicy overload, DecodeLimits limits) implements Serializable {
    public DecodeSettings {
        if (idleFlushMillis < 0 || evictAfterMillis < 0 || stateExpiryMillis < 0) {
            throw new IllegalArgumentException("idle flush, eviction and state expiry must not be negative");
        }
        if (workers < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("decode workers and units in flight must be at least 1");
        }
        if (overload == null || limits == null) {
            throw new IllegalArgumentException("an overload policy and decode limits are required");
        }
    }

    /** Flush after 30 s, evict after 10 min, keep positions a day, workers by backend, queue policy, default limits. */
    public static DecodeSettings defaults(int workers) {
        return new DecodeSettings(30_000, 600_000, 86_400_000, workers, Math.max(64, 4 * workers), OverloadPolicy.QUEUE, DecodeLimits.DEFAULTS);
    }

    public DecodeSettings withIdleFlush(long millis) {
        return new DecodeSettings(millis, Math.max(millis, evictAfterMillis), stateExpiryMillis, workers, maxInFlight, overload, limits);
    }

    public DecodeSettings withEviction(long millis) {
        return new DecodeSettings(idleFlushMillis, Math.max(millis, idleFlushMillis), stateExpiryMillis, workers, maxInFlight, overload, limits);
    }

    public DecodeSettings withStateExpiry(long millis) {
        return new DecodeSettings(idleFlushMillis, evictAfterMillis, millis, workers, maxInFlight, overload, limits);
    }

    public DecodeSettings withWorkers(int n, int inFlight) {
        return new DecodeSettings(idleFlushMillis, evictAfterMillis, stateExpiryMillis, n, inFlight, overload, limits);
    }

    public DecodeSettings withLimits(DecodeLimits l) {
        return new DecodeSettings(idleFlushMillis, evictAfterMillis, stateExpiryMillis, workers, maxInFlight, overload, l);
    }

    public DecodeSettings withOverload(OverloadPolicy policy) {
        return new DecodeSettings(idleFlushMillis, evictAfterMillis, stateExpiryMillis, workers, maxInFlight, policy, limits);
    }
}
