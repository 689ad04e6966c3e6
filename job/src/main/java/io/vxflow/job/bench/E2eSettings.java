package io.vxflow.job.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code vxflow bench e2e} was asked to do, checked by the command line.
 *
 * @param streams streams of the run; ignored with {@code search}
 * @param search the {@code --find-max} search, or null
 * @param seconds the measured steady-state window of each run
 * @param warmupSeconds how long, after every stream's first result, before the window opens
 * @param targetP99Millis the latency target: catch-up is measured against it, and a run keeps pace only within it
 * @param checkpointMillis the job's checkpoint interval (results become visible when a checkpoint commits them)
 * @param partitions partitions of the frames and results topics; null: one per stream, at most 64
 * @param compare what else the invocation measures at the same stream count: {@code nvdec}, {@code conventional}, {@code cpu}
 * @param compareSeconds the window of the conventional and CPU-backend comparisons (throughput and
 *     latency only: they are not drained, the main run checks correctness)
 * @param jobHeap the job JVM's -Xmx
 * @param gpu the GPU sampled, and measured by NVDEC alone
 * @param brokerDir where the broker's log goes; null: the system's temporary directory
 * @param engineCommand whether this build has {@code vxflow engine build} (run before a GPU job starts)
 * @param commandLine the command as typed, for the record
 */
public record E2eSettings(int streams, Search search, Pipeline pipeline, int seconds, int warmupSeconds, long targetP99Millis,
        long checkpointMillis, Integer partitions, Set<String> compare, int compareSeconds, Path outDir, String jobHeap, int gpu,
        Path brokerDir, boolean engineCommand, String commandLine) {
    public static final Set<String> COMPARISONS = Set.of("nvdec", "conventional", "cpu");
    /** The job option that makes the GPU backend decode on the CPU (one upload per frame). */
    static final String DECODE_ENGINE = "vxflow.decode.engine";

    public E2eSettings {
        compare = Set.copyOf(compare);
    }

    /** {@code --find-max}: start count, largest count tried, window of each probe. */
    public record Search(int start, int maxStreams, int probeSeconds) {}

    /**
     * How the job runs: passed to {@code vxflow run} as they are.
     *
     * @param backend {@code gpu} or {@code cpu}
     * @param decode {@code nvdec} or {@code cpu} (GPU backend: CPU decode and one upload per frame)
     * @param slots task slots; null: one per core, at most one per stream
     * @param batch, maxWaitMillis, precision null: the job's defaults
     * @param properties {@code -Dkey=value} for the job
     */
    public record Pipeline(String model, String backend, String decode, Integer slots, Integer batch, Long maxWaitMillis, String precision,
            Map<String, String> properties) {
        public Pipeline {
            properties = Map.copyOf(properties);
        }

        int slotsFor(int streams) {
            return slots != null ? slots : Math.max(1, Math.min(streams, Runtime.getRuntime().availableProcessors()));
        }

        /** The same pipeline decoding with {@code decode} ({@code cpu}: the conventional pipeline). */
        Pipeline withDecode(String decode) {
            return new Pipeline(model, backend, decode, slots, batch, maxWaitMillis, precision, properties);
        }

        /** The same pipeline on the CPU backend (which decodes on the CPU). */
        Pipeline onCpu() {
            return new Pipeline(model, "cpu", "cpu", slots, batch, maxWaitMillis, precision, properties);
        }

        /**
         * The flags of {@code vxflow run} for these settings and {@code slots}; the GPU backend with CPU
         * decode is {@code -Dvxflow.decode.engine=cpu}.
         */
        List<String> runFlags(int slots) {
            List<String> f = new ArrayList<>(List.of("--model", model, "--backend", backend, "--parallelism", Integer.toString(slots)));
            if (batch != null) {
                f.addAll(List.of("--batch", batch.toString()));
            }
            if (maxWaitMillis != null) {
                f.addAll(List.of("--max-wait-ms", maxWaitMillis.toString()));
            }
            if (precision != null) {
                f.addAll(List.of("--precision", precision));
            }
            Map<String, String> all = new TreeMap<>(properties);
            if (backend.equals("gpu") && decode.equals("cpu")) {
                all.put(DECODE_ENGINE, "cpu");
            }
            all.forEach((k, v) -> f.add("-D" + k + "=" + v));
            return f;
        }
    }
}
