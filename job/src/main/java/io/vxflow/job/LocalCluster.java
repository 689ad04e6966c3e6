package io.vxflow.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The configuration of the local MiniCluster {@code vxflow run} and {@code vxflow demo} start: as
 * many slots as the job's parallelism, and network memory sized for them. The keyBy between the
 * Kafka source and the decode stage connects every source subtask with every decode subtask, so the
 * buffers needed grow with the square of the slot count; Flink's default (64 MB) runs out near 48
 * slots ("Insufficient number of network buffers").
 */
public final class LocalCluster {
    /** Flink's network buffer (memory segment) size. */
    private static final long SEGMENT = 32 * 1024;
    private static final long FLOOR = 64L << 20;

    private LocalCluster() {}

    public static Configuration configuration(int slots) {
        Configuration c = new Configuration();
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
        MemorySize network = MemorySize.parse(networkBytes(slots) + "b");
        c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, network);
        c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, network);
        return c;
    }

    /**
     * Per channel 2 exclusive buffers at the receiver and about one at the sender, plus 8 floating
     * buffers per gate and some per subpartition, with a quarter more for the chained sink's output.
     */
    static long networkBytes(int slots) {
        long p = slots;
        long buffers = 3 * p * p + 20 * p;
        return Math.max(FLOOR, buffers * SEGMENT * 5 / 4);
    }
}
