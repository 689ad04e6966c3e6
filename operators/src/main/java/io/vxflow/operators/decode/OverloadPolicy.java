package io.vxflow.operators.decode;

import java.io.Serializable;

/**
 * What the job does with frames that are already late when the job falls behind the cameras.
 *
 * <p>{@code queue} processes everything: latency grows for as long as the input exceeds capacity.
 * {@code drop} bounds it: a frame later than {@code maxLagMillis} (Kafka ingest to now) when it comes
 * out of the decoder skips inference and every later stage; a keyframe that arrives that late has its
 * whole GOP skipped without decoding (decoding is what a decode-bound job runs out of, and a GOP is
 * the smallest unit that can be skipped without breaking references). Either way every frame still
 * gets exactly one result, marked {@code "dropped":"overload"} without detections, and the drops are
 * counted. Savant's real-time mode and DeepStream's live sources make the same trade.
 *
 * @param drop whether late frames are dropped
 * @param maxLagMillis how late a frame may be before it is dropped
 */
public record OverloadPolicy(boolean drop, long maxLagMillis) implements Serializable {
    public static final OverloadPolicy QUEUE = new OverloadPolicy(false, 0);
    /** The result's {@code dropped} value. */
    public static final String REASON = "overload";

    public OverloadPolicy {
        if (drop && maxLagMillis <= 0) {
            throw new IllegalArgumentException("the drop policy needs a positive max lag");
        }
    }

    public static OverloadPolicy drop(long maxLagMillis) {
        return new OverloadPolicy(true, maxLagMillis);
    }

    /** Whether a frame ingested at {@code ingestMillis} is too late at {@code nowMillis}. */
    public boolean tooLate(long ingestMillis, long nowMillis) {
        return drop && nowMillis - ingestMillis > maxLagMillis;
    }
}
