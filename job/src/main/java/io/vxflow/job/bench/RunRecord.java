package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vxflow.connectors.producer.ReplayReport;
import java.time.Duration;
import java.util.function.Function;

/**
 * The JSON object of one run in {@code e2e.jsonl}, with the field names docs/benchmarks.md lists:
 * what ran, the window's figures, the warm-up, CPU and GPU use, whether every frame came back
 * once, and the per-second latency curve. Owns the object while a run fills it; numbers that
 * cannot be had (NaN) are written as null.
 */
final class RunRecord {
    /** Seconds in a row on target that end a cold start ({@code warmup.settled_s}). */
    static final int SETTLED_HOLD_SECONDS = 10;

    /** When things happened in a run, wall-clock milliseconds. */
    record Times(long jobStart, long jobReady, long firstFrame, long windowStart, long windowEnd, long end) {}

    /** CPU time of each process and the producer's counts at one moment. */
    record Snapshot(long timeMillis, Duration job, Duration producer, Duration broker, Duration self, ReplayReport report) {
        /** Records published per second between this snapshot and a later one, by the producer's own clock. */
        double rate(Snapshot later) {
            double s = (later.report.timeMillis() - report.timeMillis()) / 1000.0;
            return s > 0 ? (later.report.records() - report.records()) / s : Double.NaN;
        }

        /** CPU time of one process between the two, over the wall time. */
        double cores(Snapshot later, Function<Snapshot, Duration> process) {
            return (process.apply(later).toMillis() - process.apply(this).toMillis()) / (double) (later.timeMillis - timeMillis);
        }
    }

    private final ObjectNode json;

    RunRecord(ObjectNode context) {
        this.json = context.deepCopy();
    }

    ObjectNode json() {
        return json;
    }

    RunRecord describe(E2eRun.Spec spec, String decode, int slots, int partitions, long checkpointMillis) {
        E2eSettings.Pipeline p = spec.pipeline();
        json.put("label", spec.label()).put("mode", spec.mode()).put("model", p.model()).put("backend", p.backend()).put("decode", decode)
                .put("streams", spec.streams()).put("slots", slots).put("partitions", partitions);
        putNumber(json, "batch_max", p.batch());
        putNumber(json, "max_wait_ms", p.maxWaitMillis());
        json.put("precision", p.precision()).put("checkpoint_interval_ms", checkpointMillis);
        ObjectNode props = json.putObject("properties");
        p.properties().forEach(props::put);
        return this;
    }

    RunRecord window(LatencyTimeline.Window w, int seconds, int warmupSeconds, double inputFps, boolean keepsPace, long targetP99Millis,
            Double catchUpSeconds) {
        json.put("seconds", seconds).put("warmup_seconds", warmupSeconds);
        putNumber(json, "input_fps", round(inputFps, 1));
        putNumber(json, "results_per_s", round(w.resultsPerSecond(), 1));
        json.put("keeps_pace", keepsPace).put("target_p99_ms", targetP99Millis);
        putLatency(json.putObject("latency_ms"), w.latency());
        putNumber(json, "catch_up_s", catchUpSeconds);
        putNumber(json, "mean_batch", round(w.meanBatch(), 2));
        json.put("dropped", w.dropped());
        return this;
    }

    RunRecord cpu(Snapshot a, Snapshot b) {
        putNumber(json, "job_cpu_cores", round(a.cores(b, Snapshot::job), 2));
        putNumber(json, "producer_cpu_cores", round(a.cores(b, Snapshot::producer), 2));
        putNumber(json, "broker_cpu_cores", round(a.cores(b, Snapshot::broker), 2));
        putNumber(json, "bench_cpu_cores", round(a.cores(b, Snapshot::self), 2));
        return this;
    }

    /** GPU and NVDEC busy and memory in the window; memory per stream is what the job added to what was in use before it started. */
    RunRecord gpu(GpuSampler gpu, Times t, int streams) {
        if (gpu == null) {
            json.putNull("gpu_util").putNull("nvdec_util").putNull("gpu_mem_mib").putNull("gpu_mem_mib_per_stream");
            return this;
        }
        double before = gpu.memoryBefore(t.jobStart()), used = gpu.mean(t.windowStart(), t.windowEnd(), GpuSampler.Sample::memoryMib);
        putNumber(json, "gpu_util", round(gpu.mean(t.windowStart(), t.windowEnd(), GpuSampler.Sample::gpuUtil), 1));
        putNumber(json, "nvdec_util", round(gpu.mean(t.windowStart(), t.windowEnd(), GpuSampler.Sample::decoderUtil), 1));
        putNumber(json, "gpu_mem_mib", round(used, 0));
        putNumber(json, "gpu_mem_mib_per_stream", round((used - before) / streams, 1));
        return this;
    }

    RunRecord warmup(ResultsChecker checker, Times t, boolean everyStreamStarted, long targetP99Millis) {
        ObjectNode w = json.putObject("warmup");
        putNumber(w, "s", round((t.windowStart() - t.firstFrame()) / 1000.0, 1));
        putNumber(w, "job_ready_s", round((t.jobReady() - t.jobStart()) / 1000.0, 1));
        long first = checker.firstEmitMillis();
        putNumber(w, "first_result_s", first == Long.MAX_VALUE ? null : round((first - t.firstFrame()) / 1000.0, 2));
        w.put("every_stream_started", everyStreamStarted);
        // the cold start: from the first frame until the latency held the target for SETTLED_HOLD_SECONDS in a row
        Double settled = checker.timeline().settledSeconds(t.firstFrame(), t.windowEnd(), targetP99Millis, SETTLED_HOLD_SECONDS);
        putNumber(w, "settled_s", settled == null ? null : round(settled, 1));
        w.put("settled_hold_s", SETTLED_HOLD_SECONDS);
        putLatency(w.putObject("latency_ms"), checker.timeline().window(Math.floorDiv(t.firstFrame(), 1000) * 1000, t.windowStart()).latency());
        return this;
    }

    RunRecord correctness(ResultsChecker checker, ReplayReport published, boolean drained, long jobFailures) {
        long missing = checker.missing(published.perStream());
        json.put("dropped_total", checker.droppedTotal()).put("published", published.records()).put("results", checker.results())
                .put("drained", drained);
        if (drained) {
            json.put("lost", missing);
        } else {
            json.putNull("lost").put("pending", missing); // not waited for: a run far behind its input, or a search probe
        }
        json.put("duplicates", checker.duplicates()).put("out_of_order", checker.outOfOrder()).put("boxes_checked", checker.boxesChecked())
                .put("boxes_wrong", checker.boxesWrong()).put("job_failures", jobFailures);
        return this;
    }

    /** p50 and p99 of every second from the first frame's, in seconds from that second's start, and the window. */
    RunRecord timeline(LatencyTimeline timeline, Times t) {
        ObjectNode o = json.putObject("latency_timeline");
        ArrayNode ts = o.putArray("t_s"), p50 = o.putArray("p50"), p99 = o.putArray("p99"), n = o.putArray("results");
        long origin = Math.floorDiv(t.firstFrame(), 1000) * 1000;
        for (LatencyTimeline.Second s : timeline.perSecond(origin, t.end())) {
            ts.add((s.startMillis() - origin) / 1000);
            n.add(s.results());
            if (s.results() > 0) {
                p50.add(s.p50());
                p99.add(s.p99());
            } else {
                p50.addNull();
                p99.addNull();
            }
        }
        o.putArray("window_s").add((t.windowStart() - origin) / 1000).add((t.windowEnd() - origin) / 1000);
        return this;
    }

    /** Every frame once, in order, with the right boxes, nothing lost (where that was waited for), and the job never failed. */
    boolean correct() {
        return json.path("duplicates").asLong() == 0 && json.path("out_of_order").asLong() == 0 && json.path("boxes_wrong").asLong() == 0
                && (json.path("lost").isNull() || json.path("lost").asLong() == 0) && json.path("job_failures").asLong() == 0;
    }

    static void putLatency(ObjectNode o, LatencyStats l) {
        o.put("p50", l.p50()).put("p95", l.p95()).put("p99", l.p99()).put("max", l.max());
        putNumber(o, "mean", round(l.mean(), 1));
        o.put("count", l.count());
    }

    static void putNumber(ObjectNode o, String key, Number v) {
        if (v == null || (v instanceof Double d && (d.isNaN() || d.isInfinite()))) {
            o.putNull(key);
        } else if (v instanceof Double d) {
            o.put(key, d);
        } else {
            o.put(key, v.longValue());
        }
    }

    static Double round(double v, int places) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return Double.NaN;
        }
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
