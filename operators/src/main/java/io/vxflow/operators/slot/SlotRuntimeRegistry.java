package io.vxflow.operators.slot;

import io.vxflow.gpu.backend.SlotRuntimes;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.GpuProbe;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.operators.metrics.SlotStreamMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.apache.flink.streaming.api.operators.StreamingRuntimeContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every operator of one chain instance (one task, one slot) the same {@link SlotRuntime}: the
 * first operator to open creates it, the last to close frees it. Chained operators run in one task
 * thread, so they find each other by job, task name, subtask index and attempt.
 *
 * <p>Slots open one at a time in a process: the first slot of a model builds or loads its TensorRT
 * engine while the others wait, and no slot initialises CUDA while another is inside TensorRT.
 * Known limitation: the one lock is also taken to close a slot, so while an engine is being built
 * (minutes for a large model without a cached engine) a cancelled task of the same TaskManager waits
 * for the build before it finishes closing; Flink's {@code task.cancellation.timeout} must exceed the
 * build time (deploy/flink/config.yaml sets ten minutes), or the engine cache is warmed ahead.
 *
 * <p>GPU slots are spread over the GPUs Flink assigned this TaskManager ({@code
 * external-resource.gpu.*}; all visible GPUs when none are configured): each new slot takes the GPU
 * with the fewest slots in this process.
 */
public final class SlotRuntimeRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SlotRuntimeRegistry.class);
    private static final Map<String, Entry> SLOTS = new HashMap<>();
    private static final Map<Integer, Integer> SLOTS_PER_GPU = new HashMap<>();

    private static final class Entry {
        final SlotRuntime runtime;
        final int gpu;
        /** Per-stream metrics of the chain's operators: one set of live streams per slot. */
        final SlotStreamMetrics streamMetrics = new SlotStreamMetrics();
        int users;

        Entry(SlotRuntime runtime, int gpu) {
            this.runtime = runtime;
            this.gpu = gpu;
        }
    }

    private SlotRuntimeRegistry() {}

    /** The runtime of the calling operator's slot; close the lease in the operator's close(). */
    public static SlotLease acquire(StreamingRuntimeContext ctx, PipelineSpec spec) {
        var task = ctx.getTaskInfo();
        String key = ctx.getJobInfo().getJobId() + "/" + task.getTaskName() + "/" + task.getIndexOfThisSubtask() + "/"
                + task.getAttemptNumber();
        // outside the lock: hashing a large model or waiting for the distributed cache holds up no other slot
        PipelineSpec local = ModelLocator.localize(ctx, spec);
        Set<ExternalResourceInfo> gpus = ctx.getExternalResourceInfos("gpu");
        synchronized (SlotRuntimeRegistry.class) {
            // the GPU probe initialises CUDA: under the lock, like everything else that touches it
            return acquire(key, local, gpuCandidates(gpus));
        }
    }

    static synchronized SlotLease acquire(String key, PipelineSpec spec, List<Integer> gpus) {
        Entry e = SLOTS.get(key);
        if (e == null) {
            int gpu = spec.backend().resolve() == Backend.GPU ? leastLoaded(gpus, SLOTS_PER_GPU) : -1;
            SlotRuntime rt = SlotRuntimes.open(spec, gpu);
            e = new Entry(rt, gpu);
            SLOTS.put(key, e);
            if (gpu >= 0) {
                SLOTS_PER_GPU.merge(gpu, 1, Integer::sum);
            }
            LOG.info("slot {}: {} backend{}", key, rt.backend().wireName(), gpu >= 0 ? " on GPU " + gpu : "");
        }
        e.users++;
        return new SlotLease(key, e.runtime, e.gpu, e.streamMetrics);
    }

    static synchronized void release(String key) {
        Entry e = SLOTS.get(key);
        if (e != null && --e.users == 0) {
            SLOTS.remove(key);
            if (e.gpu >= 0) {
                SLOTS_PER_GPU.merge(e.gpu, -1, Integer::sum);
            }
            e.runtime.close();
        }
    }

    /** Slots currently open in this process; for tests. */
    public static synchronized int openSlots() {
        return SLOTS.size();
    }

    /** The GPU among {@code gpus} with the fewest open slots ({@code slotsPerGpu}), the lowest index on a tie. */
    static int leastLoaded(List<Integer> gpus, Map<Integer, Integer> slotsPerGpu) {
        int best = gpus.get(0);
        for (int g : gpus) {
            if (slotsPerGpu.getOrDefault(g, 0) < slotsPerGpu.getOrDefault(best, 0)) {
                best = g;
            }
        }
        return best;
    }

    /** GPU indices from Flink's GPU external resource, or 0..n-1 for all visible GPUs. */
    static List<Integer> gpuCandidates(Set<ExternalResourceInfo> infos) {
        List<Integer> out = new ArrayList<>();
        for (ExternalResourceInfo info : infos) {
            Optional<String> index = info.getProperty("index");
            index.ifPresent(i -> out.add(Integer.parseInt(i.trim())));
        }
        if (out.isEmpty()) {
            int n = visibleGpus();
            for (int i = 0; i < n; i++) {
                out.add(i);
            }
        }
        if (out.isEmpty()) {
            out.add(0);
        }
        out.sort(null);
        return out;
    }

    private static int visibleGpus() {
        return GpuProbe.deviceCount();
    }
}
