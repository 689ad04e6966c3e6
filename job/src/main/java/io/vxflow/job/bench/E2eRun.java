package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private final RunRecord record;
    private final Path reportFile;
    private ChildProcess broker;
    private ChildProcess job;
    private ChildProcess producer;
    private boolean producerStopped;
    private ResultsChecker checker;
    private long lastLine;

    E2eRun(E2eSettings settings, Spec spec, ProcessGroup children, GpuSampler gpu, Path clip, ObjectNode context, PrintStream console) {
        this.settings = settings;
        this.spec = spec;
        this.children = children;
        this.gpu = gpu;
        this.clip = clip;
        this.console = console;
        this.record = new RunRecord(context);
        this.reportFile = settings.outDir().resolve("logs").resolve(spec.label() + "-producer.json");
    }

    Result execute() throws Exception {
        Path kafkaDir = children.deleteOnClose(settings.brokerDir() != null ? Files.createTempDirectory(settings.brokerDir(), "vxflow-bench-kafka")
                : Files.createTempDirectory("vxflow-bench-kafka"));
        try {
            return measure(kafkaDir);
        } finally {
            stop(job);
            stop(producer);
            if (checker != null) {
                checker.close();
            }
            stop(broker);
            ProcessGroup.deleteTree(kafkaDir);
        }
    }

    private Result measure(Path kafkaDir) throws Exception {
        int streams = spec.streams();
        int slots = spec.pipeline().slotsFor(streams);
        int partitions = settings.partitions() != null ? settings.partitions() : Math.min(streams, 64);
        record.describe(spec, decode(), slots, partitions, settings.checkpointMillis());
        record.json().put("broker_dir", kafkaDir.getParent().toString());
        console.printf(Locale.ROOT, "%n== %s: %d stream(s), backend %s, decode %s, %d slot(s), window %d s%n", spec.label(), streams,
                spec.pipeline().backend(), decode(), slots, spec.seconds());
        String bootstrap = startBroker(kafkaDir, partitions);
        checker = new ResultsChecker(bootstrap, "results", CLIP_FRAMES, Models.BUILTIN_SQUARES.equals(spec.pipeline().model()),
                settings.targetP99Millis());
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
        RunRecord.Snapshot atStart = snapshot();
        long windowEnd = windowStart + spec.seconds() * 1000L;
        pump(windowEnd, () -> false, "window");
        RunRecord.Snapshot atEnd = snapshot();
        // what was emitted in the window is committed once a later result is (one checkpoint commits all subtasks)
        pump(System.currentTimeMillis() + 2 * settings.checkpointMillis() + 5000, () -> checker.lastEmitMillis() >= windowEnd + 1000, "settling");
        pump(System.currentTimeMillis() + 500, () -> false, "settling");

        ReplayReport published = stopProducer();
        boolean drained = !spec.probe() && drainable(published, checker.timeline().window(windowStart, windowEnd).resultsPerSecond())
                && drain(published);
        long end = System.currentTimeMillis();
        long failures = failures(rest);
        stop(job);
        LatencyTimeline.Window window = checker.timeline().window(windowStart, windowEnd);
        double inputFps = atStart.rate(atEnd);
        boolean keepsPace = FindMax.keepsPace(window.resultsPerSecond(), inputFps, window.latency().p99(), settings.targetP99Millis());

        RunRecord.Times t = new RunRecord.Times(jobStart, ready, published.startMillis(), windowStart, windowEnd, end);
        Double catchUp = checker.timeline().catchUpSeconds(t.firstFrame(), windowEnd, settings.targetP99Millis());
        record.window(window, spec.seconds(), settings.warmupSeconds(), inputFps, keepsPace, settings.targetP99Millis(), catchUp)
                .cpu(atStart, atEnd).gpu(gpu, t, streams).warmup(checker, t, allStarted, settings.targetP99Millis()).correctness(checker, published, drained, failures)
                .timeline(checker.timeline(), t);
        checker.stages().write(record.json().putObject("latency_breakdown"), windowStart, windowEnd);
        ObjectNode gc = record.json().putObject("gc_pauses");
        for (String process : List.of("job", "broker", "producer")) {
            GcPauses.write(gc.putObject(process), children.gcLog(spec.label(), process), windowStart, windowEnd);
        }
        record.json().put("correct", record.correct()).put("ok", keepsPace && record.correct());
        JsonNode settled = record.json().path("warmup").path("settled_s");
        console.printf(Locale.ROOT, "  %s: input %.0f fps, results %.0f/s, latency p50 %d / p99 %d / max %d ms, catch-up %s, settled %s, %s%n",
                spec.label(), inputFps, window.resultsPerSecond(), window.latency().p50(), window.latency().p99(), window.latency().max(),
                catchUp == null ? "never" : catchUp + " s", settled.isNumber() ? settled.asDouble() + " s" : "never",
                keepsPace ? "keeps pace" : "does not keep pace");
        return new Result(inputFps, window.resultsPerSecond(), window.latency(), record.json().path("job_cpu_cores").asDouble(Double.NaN), keepsPace,
                record.json());
    }

    private String decode() {
        return spec.pipeline().backend().equals("cpu") ? "cpu" : spec.pipeline().decode();
    }

    private String startBroker(Path kafkaDir, int partitions) throws InterruptedException, IOException {
        // 1080p30 at 4 Mbit/s is 0.5 MB/s a stream: keep two minutes of it, not the whole run, on disk
        broker = children.startVxflow(spec.label(), "broker", "1g", List.of("broker", "--port", Integer.toString(freePort()), "--dir",
                kafkaDir.toString(), "--topics", "frames,results", "--partitions", Integer.toString(partitions), "-Dlog.retention.ms=120000",
                "-Dlog.segment.bytes=134217728", "-Dlog.retention.check.interval.ms=30000"));
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
            if (producer != null && !producerStopped) {
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

    private RunRecord.Snapshot snapshot() throws IOException {
        return new RunRecord.Snapshot(System.currentTimeMillis(), job.cpuTime(), producer.cpuTime(), broker.cpuTime(),
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
        producerStopped = true;
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
}
