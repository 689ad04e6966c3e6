package io.vxflow.operators.slot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

/**
 * Slots spread over the GPUs Flink gave a TaskManager: the indices come from the GPU external
 * resource (a fake discovery of 2 and 4 GPUs here, as Flink's GPU driver reports them), and each new
 * slot takes the GPU with the fewest open slots, so N slots on G GPUs differ by at most one per GPU,
 * also when slots close and others open.
 */
class GpuSpreadTest {

    private static ExternalResourceInfo gpu(String index) {
        return new ExternalResourceInfo() {
            @Override
            public Optional<String> getProperty(String key) {
                return key.equals("index") ? Optional.of(index) : Optional.empty();
            }

            @Override
            public Collection<String> getKeys() {
                return List.of("index");
            }
        };
    }

    private static Set<ExternalResourceInfo> discovered(String... indices) {
        Set<ExternalResourceInfo> out = new LinkedHashSet<>();
        for (String i : indices) {
            out.add(gpu(i));
        }
        return out;
    }

    /** Opens {@code slots} slots one after another and returns the GPU each took. */
    private static List<Integer> open(List<Integer> gpus, Map<Integer, Integer> load, int slots) {
        List<Integer> took = new ArrayList<>();
        for (int s = 0; s < slots; s++) {
            int g = SlotRuntimeRegistry.leastLoaded(gpus, load);
            load.merge(g, 1, Integer::sum);
            took.add(g);
        }
        return took;
    }

    @Test
    void theIndicesFlinkDiscoveredAreTheCandidatesInOrder() {
        assertThat(SlotRuntimeRegistry.gpuCandidates(discovered("1", "0"))).containsExactly(0, 1);
        assertThat(SlotRuntimeRegistry.gpuCandidates(discovered("3", " 1", "2", "0"))).containsExactly(0, 1, 2, 3);
        assertThat(SlotRuntimeRegistry.gpuCandidates(discovered("4", "6"))).as("a TaskManager given GPUs 4 and 6 of a host").containsExactly(4, 6);
    }

    @Test
    void eightSlotsOnTwoGpusTakeFourEach() {
        List<Integer> gpus = SlotRuntimeRegistry.gpuCandidates(discovered("0", "1"));
        Map<Integer, Integer> load = new HashMap<>();
        assertThat(open(gpus, load, 8)).containsExactly(0, 1, 0, 1, 0, 1, 0, 1);
        assertThat(load).containsEntry(0, 4).containsEntry(1, 4);
    }

    @Test
    void tenSlotsOnFourGpusDifferByAtMostOneAndAClosedSlotsGpuIsRefilledFirst() {
        List<Integer> gpus = SlotRuntimeRegistry.gpuCandidates(discovered("0", "1", "2", "3"));
        Map<Integer, Integer> load = new HashMap<>();
        open(gpus, load, 10);
        assertThat(load.values()).containsExactlyInAnyOrder(3, 3, 2, 2);
        load.merge(1, -1, Integer::sum); // two slots of GPU 1 close (a job restarts with fewer, say)
        load.merge(1, -1, Integer::sum);
        assertThat(open(gpus, load, 2)).as("GPU 1 has the fewest now").containsExactly(1, 1);
        assertThat(load.values()).containsExactlyInAnyOrder(3, 3, 2, 2);
    }
}
