package io.vxflow.operators.route;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/**
 * The key decode is keyed by: a stream id and the key group the {@link StreamRouter} chose for it.
 * Flink puts a key into key group {@code murmurHash(key.hashCode()) % maxParallelism}; this key's
 * {@code hashCode} is an int chosen so that the formula yields {@link #keyGroup()}, so a stream lands
 * in the key group (and so on the subtask) the router picked, not where its id happens to hash.
 *
 * <p>Equal when stream id and key group are; the hash is fixed by the key group (for the max
 * parallelism it was made for) and travels with the key, so a key read back from a checkpoint lands
 * where it was written.
 */
public final class StreamKey {
    private static final Map<Integer, int[]> HASHES = new ConcurrentHashMap<>();
    private final String streamId;
    private final int keyGroup;
    private final int hash;

    StreamKey(String streamId, int keyGroup, int hash) {
        this.streamId = Objects.requireNonNull(streamId);
        this.keyGroup = keyGroup;
        this.hash = hash;
    }

    /** The key that puts {@code streamId} into {@code keyGroup} of {@code maxParallelism}. */
    public static StreamKey of(String streamId, int keyGroup, int maxParallelism) {
        int[] hashes = hashes(maxParallelism);
        if (keyGroup < 0 || keyGroup >= maxParallelism) {
            throw new IllegalArgumentException("key group " + keyGroup + " is outside 0.." + (maxParallelism - 1));
        }
        return new StreamKey(streamId, keyGroup, hashes[keyGroup]);
    }

    /** The key of a stream nobody chose a key group for: where a plain keyBy(stream id) puts it. */
    public static StreamKey hashed(String streamId, int maxParallelism) {
        return of(streamId, KeyGroupRangeAssignment.assignToKeyGroup(streamId, maxParallelism), maxParallelism);
    }

    public String streamId() {
        return streamId;
    }

    public int keyGroup() {
        return keyGroup;
    }

    /**
     * For each key group of {@code maxParallelism}, the smallest non-negative int that Flink's
     * key-group formula sends there: found once per max parallelism by counting up (about maxP x
     * ln(maxP) tries: 0.3 million for 32768).
     */
    static int[] hashes(int maxParallelism) {
        KeyGroupRangeAssignment.checkParallelismPreconditions(maxParallelism);
        return HASHES.computeIfAbsent(maxParallelism, maxP -> {
            int[] out = new int[maxP];
            java.util.Arrays.fill(out, -1);
            int missing = maxP;
            for (int h = 0; missing > 0; h++) {
                int group = KeyGroupRangeAssignment.computeKeyGroupForKeyHash(h, maxP);
                if (out[group] < 0) {
                    out[group] = h;
                    missing--;
                }
            }
            return out;
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamKey k && k.keyGroup == keyGroup && k.streamId.equals(streamId);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The raw hash, for the serializer. */
    int hash() {
        return hash;
    }

    @Override
    public String toString() {
        return streamId + "@" + keyGroup;
    }
}
