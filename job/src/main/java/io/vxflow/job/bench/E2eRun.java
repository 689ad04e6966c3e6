package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vxflow.connectors.producer.ReplayReport;
import io.vxflow.job.Models;
import io.vxflow.job.demo.SyntheticClip;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One end-to-end run, as in production: a Kafka broker, the real-time producer publishing the
 * synthetic clip as N streams, and the job, each in its own JVM; this process reads the results.
 *
 * <p>Phases: broker up; job started and ready (every Flink task RUNNING, so models and engines are
 * loaded); producer started (the first frame: time 0 of the run); warm-up until every stream has a
 * result, plus the warm-up seconds; the window of {@code seconds}, starting on a whole second;
 * a settling time so that what was emitted in the window is committed; the producer stopped (it
 * writes its final per-stream counts); unless the job is too far behind (or the run is a search
 * probe), a drain until every published frame has its result, then one more checkpoint for late
 * duplicates; everything stopped.
 */
final class E2eRun {
    /** The synthetic clip's length: 10 s, looped. */
    static final int CLIP_FRAMES = 10 * SyntheticClip.FPS;
    private static final Pattern BROKER_READY = Pattern.compile("Kafka broker \\(KRaft\\) on (\\S+),");
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration FIRST_RESULTS_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration DRAIN_STALL = Duration.ofSeconds(15);
    private static final Duration DRAIN_LIMIT = Duration.ofMinutes(3);

    /** One run: its label (file names), mode ({@code e2e}, {@code conventional}, {@code cpu}, {@code find-max-probe}), streams, pipeline, window. */
    record Spec(String label, String mode, int streams, E2eSettings.Pipeline pipeline, int seconds, boolean probe) {}

    /** What the search and the ratios need, and the whole record. */
    record Result(double inputFps, double resultsPerSecond, LatencyStats latency, double jobCpuCores, boolean keepsPace, ObjectNode json) {}

    private final E2eSettings settings;
    private final Spec spec;
    private final ProcessGroup children;
    private final GpuSampler gpu;
    private final Path clip;
    private final PrintStream console;
    private final ObjectNode json;
    private final Path reportFile;
    private ChildProcess broker;
    private ChildProcess job;
    private ChildProcess producer;
    private ResultsChecker checker;
    private long lastLine;

    E2eRun(E2eSettings settings, Spec spec, ProcessGroup children, GpuSampler gpu, Path clip, ObjectNode context, PrintStream console) {
        this.settings = settings;
        this.spec = spec;
        this.children = children;
        this.gpu = gpu;
        this.clip = clip;
        this.console = console;
        this.json = context.deepCopy();
        this.reportFile = settings.outDir().resolve("logs").resolve(spec.label() + "-producer.json");
    }

    Result execute() throws Exception {
        Path kafkaDir = Files.createTempDirectory("vxflow-bench-kafka");
        try {
            return measure(kafkaDir);
        } finally {
            stop(job);
            stop(producer);
            if (checker != null) {
                checker.close();
            }
            stop(broker);
            deleteTree(kafkaDir);
        }
    }

    private Result measure(Path kafkaDir) throws Exception {
        int streams = spec.streams();
        int slots = spec.pipeline().slotsFor(streams);
        int partitions = settings.partitions() != null ? settings.partitions() : Math.min(streams, 64);
        describe(slots, partitions);
        console.printf(Locale.ROOT, "%n== %s: %d stream(s), backend %s, decode %s, %d slot(s), window %d s%n", spec.label(), streams,
                spec.pipeline().backend(), decode(), slots, spec.seconds());
        String bootstrap = startBroker(kafkaDir, partitions);
        checker = new ResultsChecker(bootstrap, "results", CLIP_FRAMES, Models.BUILTIN_SQUARES.equals(spec.pipeline().model()));
        long jobStart = System.currentTimeMillis();
        int restPort = freePort();
        FlinkRest rest = startJob(bootstrap, slots, restPort);
        long ready = System.currentTimeMillis();
        console.printf(Locale.ROOT, "  job ready in %.1f s (every task running)%n", (ready - jobStart) / 1000.0);
        producer = children.startVxflow(spec.label(), "producer", "1g", List.of("produce", "--bootstrap", bootstrap, "--topic", "frames",
                "--streams", Integer.toString(streams), "--prefix", "cam", "--realtime", "--loop", "--fps", Integer.toString(SyntheticClip.FPS),
                "--report", reportFile.toString(), clip.toString()));

        pump(System.currentTimeMillis() + FIRST_RESULTS_TIMEOUT.toMillis(), () -> checker.streamsSeen() >= streams, "warm-up");
        boolean allStarted = checker.streamsSeen() >= streams;
        pump(System.currentTimeMillis() + settings.warmupSeconds() * 1000L, () -> false, "warm-up");
        long windowStart = (System.currentTimeMillis() / 1000 + 1) * 1000;
        pump(windowStart, () -> false, "warm-up");
        Snapshot atStart = snapshot();
        long windowEnd = windowStart + spec.seconds() * 1000L;
        pump(windowEnd, () -> false, "window");
        Snapshot atEnd = snapshot();
        long failures = failures(rest);
        pump(System.currentTimeMillis() + settings.checkpointMillis() + 2000, () -> false, "settling");

        ReplayReport published = stopProducer();
        LatencyTimeline.Window window = checker.timeline().window(windowStart, windowEnd);
        double inputFps = atStart.rate(atEnd);
        boolean keepsPace = FindMax.keepsPace(window.resultsPerSecond(), inputFps, window.latency().p99(), settings.targetP99Millis());
        boolean drained = !spec.probe() && drainable(published, window.resultsPerSecond()) && drain(published);
        long end = System.currentTimeMillis();
        stop(job);

        long firstFrame = published.startMillis();
        json.put("seconds", spec.seconds()).put("warmup_seconds", settings.warmupSeconds());
        putNumber(json, "input_fps", round(inputFps, 1));
        putNumber(json, "results_per_s", round(window.resultsPerSecond(), 1));
        json.put("keeps_pace", keepsPace).put("target_p99_ms", settings.targetP99Millis());
        putLatency(json.putObject("latency_ms"), window.latency());
        putNumber(json, "catch_up_s", checker.timeline().catchUpSeconds(firstFrame, windowEnd, settings.targetP99Millis()));
        putNumber(json, "mean_batch", round(window.meanBatch(), 2));
        json.put("dropped", window.dropped()).put("dropped_total", checker.droppedTotal());
        putCpu(atStart, atEnd);
        putGpu(jobStart, windowStart, windowEnd, streams);
        putWarmup(jobStart, ready, firstFrame, windowStart, allStarted);
        putCorrectness(published, drained, failures);
        putTimeline(firstFrame, windowStart, windowEnd, end);
        json.put("ok", keepsPace && json.path("duplicates").asLong() == 0 && (json.path("lost").isNull() || json.path("lost").asLong() == 0)
                && json.path("boxes_wrong").asLong() == 0 && failures == 0);
        console.printf(Locale.ROOT, "  %s: input %.0f fps, results %.0f/s, latency p50 %d / p99 %d / max %d ms, catch-up %s, %s%n", spec.label(),
                inputFps, window.resultsPerSecond(), window.latency().p50(), window.latency().p99(), window.latency().max(),
                json.path("catch_up_s").isNull() ? "never" : json.path("catch_up_s").asDouble() + " s",
                keepsPace ? "keeps pace" : "does not keep pace");
        return new Result(inputFps, window.resultsPerSecond(), window.latency(), json.path("job_cpu_cores").asDouble(Double.NaN), keepsPace, json);
    }

    private void describe(int slots, int partitions) {
        E2eSettings.Pipeline p = spec.pipeline();
        json.put("label", spec.label()).put("mode", spec.mode()).put("model", p.model()).put("backend", p.backend()).put("decode", decode())
                .put("streams", spec.streams()).put("slots", slots).put("partitions", partitions);
        putNumber(json, "batch_max", p.batch());
        putNumber(json, "max_wait_ms", p.maxWaitMillis());
        json.put("precision", p.precision());
        json.put("checkpoint_interval_ms", settings.checkpointMillis());
        ObjectNode props = json.putObject("properties");
        p.properties().forEach(props::put);
    }

    private String decode() {
        return spec.pipeline().backend().equals("cpu") ? "cpu" : spec.pipeline().decode();
    }

    private String startBroker(Path kafkaDir, int partitions) throws InterruptedException, IOException {
        broker = children.startVxflow(spec.label(), "broker", "1g", List.of("broker", "--port", Integer.toString(freePort()), "--dir",
                kafkaDir.toString(), "--topics", "frames,results", "--partitions", Integer.toString(partitions)));
        long deadline = System.currentTimeMillis() + 120_000;
        while (true) {
            Matcher m = BROKER_READY.matcher(broker.logText());
            if (m.find()) {
                return m.group(1);
            }
            broker.requireAlive();
            if (System.currentTimeMillis() > deadline) {
                throw broker.failed("did not start within 120 s");
            }
            Thread.sleep(100);
        }
    }

    private FlinkRest startJob(String bootstrap, int slots, int restPort) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "--bootstrap", bootstrap, "--in", "frames", "--out", "results", "--group-id",
                "vxflow-bench", "--from", "earliest", "--checkpoint-interval-ms", Long.toString(settings.checkpointMillis()), "--idle-flush-ms", "2000",
                "--transactional-id-prefix", "vxflow-bench-" + spec.label() + "-" + System.currentTimeMillis(), "-Drest.bind-address=127.0.0.1",
                "-Drest.address=127.0.0.1", "-Drest.port=" + restPort, "-Drest.bind-port=" + restPort));
        args.addAll(spec.pipeline().runFlags(slots));
        job = children.startVxflow(spec.label(), "job", settings.jobHeap(), args);
        FlinkRest rest = new FlinkRest(restPort);
        long deadline = System.currentTimeMillis() + READY_TIMEOUT.toMillis();
        while (true) {
            job.requireAlive();
            FlinkRest.JobState s = rest.job();
            if (s != null && s.allTasksRunning()) {
                return rest;
            }
            if (s != null && s.terminal()) {
                throw job.failed("ended before it ran: " + s.state());
            }
            if (System.currentTimeMillis() > deadline) {
                throw job.failed("was not running after " + READY_TIMEOUT.toSeconds() + " s" + (s == null ? "" : " (" + s.state() + ", "
                        + s.running() + " of " + s.total() + " tasks running)"));
            }
            Thread.sleep(200);
        }
    }

    /** Reads results until {@code untilMillis} or {@code done}; every child must stay up; a line every 5 s. */
    private void pump(long untilMillis, BooleanSupplier done, String phase) {
        while (System.currentTimeMillis() < untilMillis && !done.getAsBoolean()) {
            checker.poll(Duration.ofMillis(Math.max(1, Math.min(200, untilMillis - System.currentTimeMillis()))));
            broker.requireAlive();
            job.requireAlive();
            if (producer != null) {
                producer.requireAlive();
            }
            long now = System.currentTimeMillis();
            if (now - lastLine >= 5000) {
                lastLine = now;
                List<LatencyTimeline.Second> last = checker.timeline().perSecond(now - 3000, now - 2000);
                console.printf(Locale.ROOT, "  %-8s %d results of %d stream(s)%s%n", phase, checker.results(), checker.streamsSeen(),
                        last.isEmpty() || last.get(0).results() == 0 ? ""
                                : String.format(Locale.ROOT, "; %d/s, p50 %d ms, p99 %d ms", last.get(0).results(), last.get(0).p50(), last.get(0).p99()));
            }
        }
    }

    /** CPU times and the producer's counts at one moment. */
    private record Snapshot(long timeMillis, Duration job, Duration producer, Duration broker, Duration self, ReplayReport report) {
        double rate(Snapshot later) {
            double s = (later.report.timeMillis() - report.timeMillis()) / 1000.0;
            return s > 0 ? (later.report.records() - report.records()) / s : Double.NaN;
        }

        double cores(Snapshot later, java.util.function.Function<Snapshot, Duration> of) {
            return (of.apply(later).toMillis() - of.apply(this).toMillis()) / (double) (later.timeMillis - timeMillis);
        }
    }

    private Snapshot snapshot() throws IOException {
        return new Snapshot(System.currentTimeMillis(), job.cpuTime(), producer.cpuTime(), broker.cpuTime(),
                ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO), readReport());
    }

    private ReplayReport readReport() throws IOException {
        if (!Files.isRegularFile(reportFile)) {
            throw producer.failed("wrote no report to " + reportFile);
        }
        return ReplayReport.read(reportFile);
    }

    private long failures(FlinkRest rest) {
        FlinkRest.JobState s = rest.job();
        return s == null ? -1 : rest.failures(s.id());
    }

    private ReplayReport stopProducer() throws Exception {
        int code = producer.stop(ProcessGroup.GRACE.plusSeconds(30));
        ReplayReport last = readReport();
        if (!last.ended()) {
            throw producer.failed("ended (exit code " + code + ") without writing its final counts");
        }
        if (last.state().equals("failed")) {
            throw producer.failed("failed");
        }
        return last;
    }

    /** Whether the frames still without a result would come in within the drain limit at the window's rate. */
    private boolean drainable(ReplayReport published, double resultsPerSecond) {
        return checker.missing(published.perStream()) <= Math.max(1, resultsPerSecond) * DRAIN_LIMIT.toSeconds();
    }

    /** Reads results until every published frame has one; false if they stop coming first. */
    private boolean drain(ReplayReport published) {
        long limit = System.currentTimeMillis() + DRAIN_LIMIT.toMillis() + settings.checkpointMillis();
        long seen = -1, lastProgress = System.currentTimeMillis();
        while (checker.missing(published.perStream()) > 0 && System.currentTimeMillis() < limit) {
            if (checker.results() != seen) {
                seen = checker.results();
                lastProgress = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - lastProgress > DRAIN_STALL.toMillis() + settings.checkpointMillis()) {
                break;
            }
            pump(System.currentTimeMillis() + 500, () -> false, "draining");
        }
        boolean complete = checker.missing(published.perStream()) == 0;
        if (complete) { // a duplicate would come with the next commit
            pump(System.currentTimeMillis() + settings.checkpointMillis() + 1000, () -> false, "draining");
        }
        return complete;
    }

    private void putCpu(Snapshot a, Snapshot b) {
        putNumber(json, "job_cpu_cores", round(a.cores(b, Snapshot::job), 2));
        putNumber(json, "producer_cpu_cores", round(a.cores(b, Snapshot::producer), 2));
        putNumber(json, "broker_cpu_cores", round(a.cores(b, Snapshot::broker), 2));
        putNumber(json, "bench_cpu_cores", round(a.cores(b, Snapshot::self), 2));
    }

    private void putGpu(long jobStart, long from, long to, int streams) {
        if (gpu == null) {
            json.putNull("gpu_util").putNull("nvdec_util").putNull("gpu_mem_mib").putNull("gpu_mem_mib_per_stream");
            return;
        }
        double base = gpu.memoryBefore(jobStart), used = gpu.mean(from, to, GpuSampler.Sample::memoryMib);
        putNumber(json, "gpu_util", round(gpu.mean(from, to, GpuSampler.Sample::gpuUtil), 1));
        putNumber(json, "nvdec_util", round(gpu.mean(from, to, GpuSampler.Sample::decoderUtil), 1));
        putNumber(json, "gpu_mem_mib", round(used, 0));
        putNumber(json, "gpu_mem_mib_per_stream", round((used - base) / streams, 1));
    }

    private void putWarmup(long jobStart, long ready, long firstFrame, long windowStart, boolean allStarted) {
        ObjectNode w = json.putObject("warmup");
        putNumber(w, "s", round((windowStart - firstFrame) / 1000.0, 1));
        putNumber(w, "job_ready_s", round((ready - jobStart) / 1000.0, 1));
        long first = checker.firstEmitMillis();
        putNumber(w, "first_result_s", first == Long.MAX_VALUE ? null : round((first - firstFrame) / 1000.0, 2));
        w.put("every_stream_started", allStarted);
        long from = Math.floorDiv(firstFrame, 1000) * 1000;
        putLatency(w.putObject("latency_ms"), from < windowStart ? checker.timeline().window(from, windowStart).latency() : LatencyStats.EMPTY);
    }

    private void putCorrectness(ReplayReport published, boolean drained, long failures) {
        long missing = checker.missing(published.perStream());
        json.put("published", published.records()).put("results", checker.results()).put("drained", drained);
        if (drained) {
            json.put("lost", missing);
        } else {
            json.putNull("lost").put("pending", missing); // not waited for: a run behind its input, or a search probe
        }
        json.put("duplicates", checker.duplicates()).put("out_of_order", checker.outOfOrder()).put("boxes_checked", checker.boxesChecked())
                .put("boxes_wrong", checker.boxesWrong()).put("job_failures", failures);
    }

    /** p50 and p99 of every second from the first frame's, in seconds from that second's start, and the window. */
    private void putTimeline(long firstFrame, long windowStart, long windowEnd, long end) {
        ObjectNode t = json.putObject("latency_timeline");
        ArrayNode ts = t.putArray("t_s"), p50 = t.putArray("p50"), p99 = t.putArray("p99"), n = t.putArray("results");
        long origin = Math.floorDiv(firstFrame, 1000) * 1000;
        for (LatencyTimeline.Second s : checker.timeline().perSecond(origin, end)) {
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
        t.putArray("window_s").add((windowStart - origin) / 1000).add((windowEnd - origin) / 1000);
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

    private static void stop(ChildProcess p) throws InterruptedException {
        if (p != null) {
            p.stop(ProcessGroup.GRACE);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
