package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the latency of analysed results went, from the stage times each result carries ({@code
 * timing.stages_us}): per second of emission, the sum of each stage's time and of what no stage
 * accounts for (Kafka, the producer's batching, Flink's network and the queues between stages), over
 * every result and over those above a threshold (the target p99), so that a window's tail can be
 * set beside its median. On the GPU backend stage times are the host's enqueue times and {@code read}
 * includes waiting for the GPU. One thread.
 */
final class StageBreakdown {
    private final long thresholdMillis;
    private final TreeMap<Long, Bucket[]> seconds = new TreeMap<>();

    StageBreakdown(long thresholdMillis) {
        this.thresholdMillis = thresholdMillis;
    }

    private static final class Bucket {
        long results;
        long latencyMicros;
        long outsideMicros;
        final Map<String, Long> stageMicros = new TreeMap<>();

        void add(Bucket b) {
            results += b.results;
            latencyMicros += b.latencyMicros;
            outsideMicros += b.outsideMicros;
            b.stageMicros.forEach((k, v) -> stageMicros.merge(k, v, Long::sum));
        }
    }

    void add(long emitMillis, long latencyMillis, Map<String, Long> stagesMicros) {
        Bucket[] b = seconds.computeIfAbsent(Math.floorDiv(emitMillis, 1000), s -> new Bucket[] {new Bucket(), new Bucket()});
        long latency = latencyMillis * 1000;
        long inStages = 0;
        for (long v : stagesMicros.values()) {
            inStages += v;
        }
        for (int i = 0; i < (latencyMillis > thresholdMillis ? 2 : 1); i++) {
            Bucket into = b[i];
            into.results++;
            into.latencyMicros += latency;
            into.outsideMicros += latency - inStages;
            stagesMicros.forEach((k, v) -> into.stageMicros.merge(k, v, Long::sum));
        }
    }

    /**
     * The means over results emitted in [{@code fromMillis}, {@code toMillis}): {@code all} and
     * {@code over_threshold}, each with {@code results}, {@code latency_ms}, {@code stages_ms} by stage
     * and {@code outside_stages_ms}.
     */
    void write(ObjectNode into, long fromMillis, long toMillis) {
        Bucket all = new Bucket();
        Bucket over = new Bucket();
        for (Bucket[] b : seconds.subMap(Math.floorDiv(fromMillis, 1000), Math.floorDiv(toMillis, 1000)).values()) {
            all.add(b[0]);
            over.add(b[1]);
        }
        into.put("threshold_ms", thresholdMillis);
        means(into.putObject("all"), all);
        means(into.putObject("over_threshold"), over);
    }

    private static void means(ObjectNode o, Bucket b) {
        o.put("results", b.results);
        if (b.results == 0) {
            return;
        }
        RunRecord.putNumber(o, "latency_ms", RunRecord.round(b.latencyMicros / 1000.0 / b.results, 2));
        ObjectNode stages = o.putObject("stages_ms");
        b.stageMicros.forEach((k, v) -> RunRecord.putNumber(stages, k, RunRecord.round(v / 1000.0 / b.results, 2)));
        RunRecord.putNumber(o, "outside_stages_ms", RunRecord.round(b.outsideMicros / 1000.0 / b.results, 2));
    }
}
