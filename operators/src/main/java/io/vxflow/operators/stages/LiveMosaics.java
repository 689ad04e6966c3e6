package io.vxflow.operators.stages;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest mosaic of every slot of the jobs running in this process, as the compose stage last
 * copied it to the host: what a live view of a local run ({@code vxflow demo|run --web}) shows. The
 * compose stage publishes at most once per preview interval (the copy is the costly part; encoding
 * to PNG is left to the reader, off the task thread) and removes its slot's mosaic when it closes.
 * In-process only: on a cluster the TaskManagers' mosaics are out of a client's reach. Thread-safe.
 */
public final class LiveMosaics {
    /**
     * One slot's mosaic: packed RGB24 rows, and the stream drawn in each tile (tile order).
     *
     * @param sequence increases with every publication in this process, so readers can tell a new picture
     */
    public record Mosaic(String job, int slot, int width, int height, byte[] rgb, List<String> tiles, long capturedMillis, long sequence) {
        /** A name for the slot's mosaic, unique in this process: {@code <job>-<slot>}. */
        public String key() {
            return LiveMosaics.key(job, slot);
        }
    }

    private static final ConcurrentMap<String, Mosaic> LATEST = new ConcurrentHashMap<>();
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private LiveMosaics() {}

    static String key(String job, int slot) {
        return job + "-" + slot;
    }

    static void publish(String job, int slot, int width, int height, byte[] rgb, List<String> tiles) {
        LATEST.put(key(job, slot), new Mosaic(job, slot, width, height, rgb, List.copyOf(tiles), System.currentTimeMillis(),
                SEQUENCE.incrementAndGet()));
    }

    static void remove(String job, int slot) {
        LATEST.remove(key(job, slot));
    }

    /** Every slot's latest mosaic, by job and slot. */
    public static List<Mosaic> all() {
        return LATEST.values().stream().sorted(Comparator.comparing(Mosaic::job).thenComparingInt(Mosaic::slot)).toList();
    }

    /** One slot's latest mosaic by {@link Mosaic#key()}, or null. */
    public static Mosaic get(String key) {
        return LATEST.get(key);
    }
}
