package io.vxflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;

/**
 * The local MiniCluster of {@code vxflow run} and {@code demo} takes the job's shape (source, keyBy,
 * a chain at the same parallelism) at 64 slots: with Flink's default network memory this fails with
 * "Insufficient number of network buffers" (it did at 48 slots on the H200).
 */
class LocalClusterITCase {
    @Test
    void sixtyFourSlotsGetTheirNetworkBuffers() throws Exception {
        int slots = 64;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(slots, LocalCluster.configuration(slots));
        List<Long> out = new ArrayList<>();
        try (CloseableIterator<Long> it = env.fromSequence(0, 6_399).setParallelism(slots)
                .keyBy(i -> i % 160).map(i -> i).setParallelism(slots).executeAndCollect()) {
            it.forEachRemaining(out::add);
        }
        assertThat(out).hasSize(6_400);
    }

    @Test
    void networkMemoryGrowsWithTheSquareOfTheSlots() {
        assertThat(LocalCluster.networkBytes(1)).isEqualTo(64L << 20);
        assertThat(LocalCluster.networkBytes(64)).isGreaterThan(400L << 20);
        assertThat(LocalCluster.networkBytes(128)).isGreaterThan(4 * (LocalCluster.networkBytes(64) - (64L << 20)));
    }
}
