package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vxflow.gpu.VxflowCache;
import io.vxflow.gpu.bench.MachineFacts;
import io.vxflow.gpu.pipeline.GpuProbe;
import io.vxflow.job.JobOptions;
import io.vxflow.job.demo.SyntheticClip;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * {@code vxflow bench e2e}: the steady-state end-to-end benchmark. Prepares the clip and (GPU) the
 * inference engine, runs the main run at the given stream count or at the largest one found by
 * {@link FindMax}, then, at the same count, NVDEC decoding alone ({@code vxflow bench decode} in a
 * child JVM), the conventional pipeline (CPU decode, one upload per frame) and the CPU backend, and
 * writes every run to the {@link E2eReport} with the main run's ratios to the others. Owns the
 * {@link ProcessGroup} of every child process and the GPU sampler.
 */
public final class E2eBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int NVDEC_FRAMES = 300;

    private final E2eSettings settings;
    private final String modelName;
    private final PrintStream console;
    private final E2eReport report;
    private final ObjectNode context;

    public E2eBenchmark(E2eSettings settings, String modelName, PrintStream console) {
        this.settings = settings;
        this.modelName = modelName;
        this.console = console;
        this.report = new E2eReport(settings.outDir());
        this.context = context();
    }

    /** @return false if the main run's results were not right: lost, duplicated, out of order, with wrong boxes, or the job failed */
    public boolean run() throws Exception {
        Files.createDirectories(settings.outDir().resolve("logs"));
        long t0 = System.nanoTime();
        Path clip = SyntheticClip.annexBFile(E2eRun.CLIP_FRAMES, VxflowCache.root());
        console.printf(Locale.ROOT, "vxflow bench e2e: model %s, backend %s; clip %s (%.1f s)%n", modelName, settings.pipeline().backend(), clip,
                (System.nanoTime() - t0) / 1e9);
        try (ProcessGroup children = new ProcessGroup(settings.outDir().resolve("logs"))) {
            GpuSampler gpu = startSampler(children);
            try {
                if (settings.pipeline().backend().equals("gpu")) {
                    buildEngine(children);
                }
                int streams = settings.streams();
                ObjectNode search = null;
                if (settings.search() != null) {
                    search = findMax(children, gpu, clip);
                    streams = search.path("max_streams").asInt();
                    if (streams == 0) {
                        console.println("not even one stream keeps pace; nothing more to measure");
                        return true;
                    }
                }
                E2eRun.Result main = new E2eRun(settings, new E2eRun.Spec("e2e-" + streams, "e2e", streams, settings.pipeline(),
                        settings.seconds(), false), children, gpu, clip, context, console).execute();
                if (search != null) {
                    main.json().set("find_max", search);
                }
                compare(main, streams, children, gpu, clip);
                return verdict(main.json());
            } finally {
                if (gpu != null) {
                    gpu.close();
                }
            }
        }
    }

    private GpuSampler startSampler(ProcessGroup children) throws InterruptedException {
        try {
            GpuSampler s = GpuSampler.start(children, settings.gpu());
            context.putNull("gpu_sampling");
            return s;
        } catch (IOException e) {
            context.put("gpu_sampling", "none: " + e.getMessage());
            if (settings.pipeline().backend().equals("gpu")) {
                console.println("  GPU utilisation and memory are not sampled: " + e.getMessage());
            }
            return null;
        }
    }

    /**
     * Fills the engine cache before any stream starts ({@code vxflow engine build}), so the job only
     * loads it. The one place the benchmark builds engines.
     */
    private void buildEngine(ProcessGroup children) throws Exception {
        if (!settings.engineCommand()) {
            console.println("  engine: no 'vxflow engine build' in this build; the job builds or loads it before the streams start");
            return;
        }
        E2eSettings.Pipeline p = settings.pipeline();
        String batch = Integer.toString(p.batch() != null ? p.batch() : JobOptions.BATCH_SIZE.defaultValue());
        ChildProcess build = children.startVxflow("engine", "build", "8g", List.of("engine", "build", "--model", p.model(), "--max-batch", batch,
                "--precision", p.precision() != null ? p.precision() : JobOptions.PRECISION.defaultValue()));
        long t0 = System.nanoTime();
        int code = build.await(Duration.ofHours(1));
        if (code != 0) {
            throw build.failed("exited with code " + code);
        }
        console.printf(Locale.ROOT, "  engine: built or loaded in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    private ObjectNode findMax(ProcessGroup children, GpuSampler gpu, Path clip) throws Exception {
        E2eSettings.Search s = settings.search();
        console.printf(Locale.ROOT, "find-max: the most streams at results/s >= %.0f%% of input and p99 <= %d ms, from %d, at most %d, %d s windows%n",
                FindMax.PACE * 100, settings.targetP99Millis(), s.start(), s.maxStreams(), s.probeSeconds());
        FindMax.Result r = FindMax.search(Math.min(s.start(), s.maxStreams()), s.maxStreams(), n -> {
            E2eRun.Result probe = new E2eRun(settings, new E2eRun.Spec("probe-" + n, "find-max-probe", n, settings.pipeline(), s.probeSeconds(), true),
                    children, gpu, clip, context, console).execute();
            report.append(probe.json());
            return new FindMax.Outcome(n, probe.keepsPace(), String.format(Locale.ROOT, "%.0f of %.0f fps, p99 %d ms", probe.resultsPerSecond(),
                    probe.inputFps(), probe.latency().p99()));
        });
        ObjectNode out = JSON.createObjectNode();
        out.put("max_streams", r.maxStreams()).put("target_p99_ms", settings.targetP99Millis()).put("pace", FindMax.PACE)
                .put("probe_seconds", s.probeSeconds());
        ArrayNode probes = out.putArray("probes");
        for (FindMax.Outcome o : r.probes()) {
            probes.addObject().put("streams", o.streams()).put("keeps_pace", o.keepsPace()).put("summary", o.summary());
        }
        console.printf(Locale.ROOT, "find-max: %d stream(s) keep pace (%d probes); measuring it with the full %d s window%n", r.maxStreams(),
                r.probes().size(), settings.seconds());
        return out;
    }

    /**
     * The comparisons at the main run's stream count; each is its own record, the ratios go into the
     * main one. The main record is written first, each comparison marked {@code pending}, and
     * rewritten as each comparison ends, so that a benchmark stopped during one keeps what ended.
     */
    private void compare(E2eRun.Result main, int streams, ProcessGroup children, GpuSampler gpu, Path clip) throws IOException {
        ObjectNode compare = main.json().putObject("compare");
        ObjectNode ratios = main.json().putObject("ratios");
        E2eSettings.Pipeline p = settings.pipeline();
        List<String> kinds = List.of("nvdec", "conventional", "cpu");
        for (String what : kinds) {
            String skip = skipReason(what);
            compare.putObject(what).put(skip != null ? "skipped" : "pending", skip != null ? skip : "not ended yet");
        }
        report.append(main.json());
        for (String what : kinds) {
            if (compare.path(what).has("skipped")) {
                continue;
            }
            compare.remove(what);
            try {
                if (what.equals("nvdec")) {
                    // as many decoding threads as the job has decode workers (32 on the GPU backend), not its slot count: the job's
                    // slots do not decode, its workers do, and NVDEC needs that many sessions at once to be busy
                    ObjectNode nvdec = nvdecAlone(children, streams, Math.max(p.slotsFor(streams), Math.min(streams, GPU_DECODE_WORKERS)));
                    report.append(nvdec);
                    compare.putObject(what).put("label", nvdec.path("label").asText()).put("decode_fps", nvdec.path("decode_fps").asDouble());
                    RunRecord.putNumber(ratios.putObject(what), "results_per_s", RunRecord.round(main.resultsPerSecond() / nvdec.path("decode_fps").asDouble(), 3));
                } else {
                    E2eSettings.Pipeline other = what.equals("cpu") ? p.onCpu() : p.withDecode("cpu");
                    E2eRun.Result r = new E2eRun(settings, new E2eRun.Spec(what + "-" + streams, what, streams, other, settings.compareSeconds(), true),
                            children, gpu, clip, context, console).execute();
                    report.append(r.json());
                    ObjectNode c = compare.putObject(what).put("label", r.json().path("label").asText()).put("results_per_s", r.resultsPerSecond())
                            .put("p99_ms", r.latency().p99());
                    RunRecord.putNumber(c, "job_cpu_cores", r.jobCpuCores());
                    ObjectNode ratio = ratios.putObject(what);
                    RunRecord.putNumber(ratio, "results_per_s", RunRecord.round(main.resultsPerSecond() / r.resultsPerSecond(), 3));
                    RunRecord.putNumber(ratio, "p99", RunRecord.round((double) main.latency().p99() / r.latency().p99(), 3));
                    RunRecord.putNumber(ratio, "job_cpu_cores", RunRecord.round(main.jobCpuCores() / r.jobCpuCores(), 3));
                }
            } catch (ChildFailedException e) {
                console.println("  " + what + " comparison failed: " + e.getMessage());
                compare.putObject(what).put("error", e.getMessage());
            } catch (Exception e) {
                console.println("  " + what + " comparison failed: " + e);
                compare.putObject(what).put("error", String.valueOf(e));
            }
            report.update(main.json());
        }
    }

    /** Why a comparison is not run, or null. */
    private String skipReason(String what) {
        E2eSettings.Pipeline p = settings.pipeline();
        if (!settings.compare().contains(what)) {
            return "not asked for (--compare)";
        }
        if (p.backend().equals("cpu")) {
            if (what.equals("cpu")) {
                return "the main run is the CPU backend";
            }
            return GpuProbe.available() ? "the main run is the CPU backend" : "no NVIDIA GPU: " + GpuProbe.reason();
        }
        if (what.equals("conventional") && p.decode().equals("cpu")) {
            return "the main run decodes on the CPU already";
        }
        return null;
    }

    /** The job's decode workers on the GPU backend ({@code vxflow.decode.workers} = 0). */
    private static final int GPU_DECODE_WORKERS = 32;

    /** {@code vxflow bench decode} at the same stream count and as many threads as the job decodes on, in a child JVM (it holds the GPU while it runs). */
    private ObjectNode nvdecAlone(ProcessGroup children, int streams, int slots) throws Exception {
        String label = "nvdec-" + streams;
        Path dir = settings.outDir().resolve("logs").resolve(label);
        console.printf(Locale.ROOT, "%n== %s: NVDEC decoding alone, %d stream(s) on %d slot(s), %d frames each%n", label, streams, slots, NVDEC_FRAMES);
        ChildProcess decode = children.startVxflow(label, "decode", "4g", List.of("bench", "decode", "--gpu", Integer.toString(settings.gpu()),
                "--streams", Integer.toString(streams), "--slots", Integer.toString(slots), "--frames", Integer.toString(NVDEC_FRAMES), "--out-dir",
                dir.toString()));
        int code = decode.await(Duration.ofMinutes(30));
        if (code != 0) {
            throw decode.failed("exited with code " + code);
        }
        ObjectNode out = context.deepCopy();
        out.put("label", label).put("mode", "nvdec").put("model", "").put("backend", "gpu").put("decode", "nvdec").put("streams", streams)
                .put("slots", slots).put("frames_per_stream", NVDEC_FRAMES);
        decodeRates(dir.resolve("decode.jsonl"), out);
        if (!out.has("decode_fps")) {
            throw decode.failed("wrote no NVDEC decode rate to " + dir.resolve("decode.jsonl"));
        }
        console.printf(Locale.ROOT, "  %s: %.0f frames/s%n", label, out.path("decode_fps").asDouble());
        return out;
    }

    /** The rates {@code vxflow bench decode} wrote (its {@code BenchReport} rows), as {@code decode_fps} and its neighbours. */
    static void decodeRates(Path jsonl, ObjectNode into) throws IOException {
        for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            JsonNode row = JSON.readTree(line);
            String name = row.path("name").asText();
            String key = name.equals("NVDEC decode") ? "decode_fps" : name.startsWith("NVDEC + fused") ? "decode_preprocess_fps"
                    : name.startsWith("FFmpeg software") ? "cpu_decode_fps_one_core" : null;
            if (key != null) {
                RunRecord.putNumber(into, key, RunRecord.round(row.path("value").asDouble(), 1));
            }
        }
    }

    private boolean verdict(JsonNode main) {
        boolean correct = main.path("correct").asBoolean();
        console.printf(Locale.ROOT, "%n%s%nresults in %s (e2e.jsonl, e2e.md, *.svg; logs in logs/)%n", correct
                ? "OK: every result exactly once, in order" + (main.path("boxes_checked").asLong() > 0 ? ", with the known boxes" : "")
                        + (main.path("drained").asBoolean() ? ", nothing lost" : " (not drained: the run was behind its input)")
                : "NOT OK: lost " + main.path("lost") + ", duplicates " + main.path("duplicates") + ", out of order " + main.path("out_of_order")
                        + ", wrong boxes " + main.path("boxes_wrong") + ", job failures " + main.path("job_failures"), settings.outDir().toAbsolutePath());
        return correct;
    }

    private ObjectNode context() {
        ObjectNode c = JSON.createObjectNode();
        ZonedDateTime now = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        c.put("date", now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).put("invocation", now.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        c.put("command", settings.commandLine()).put("commit", MachineFacts.commit()).put("model_name", modelName);
        c.set("machine", machine(settings.gpu()));
        return c;
    }

    /** Where it ran: host, CPUs, memory, the GPU and its driver (null without nvidia-smi), Java. */
    private static ObjectNode machine(int gpu) {
        ObjectNode m = JSON.createObjectNode();
        m.put("host", MachineFacts.hostName()).put("cpus", MachineFacts.cpus()).put("cpu_model", MachineFacts.cpuModel());
        m.put("memory_gib", Math.round(MachineFacts.physicalMemoryGib()));
        MachineFacts.gpu(gpu).ifPresentOrElse(g -> m.put("gpu", g.name()).put("gpu_driver", g.driver()).put("gpu_memory", g.memory()),
                () -> m.putNull("gpu"));
        m.put("java", MachineFacts.java());
        return m;
    }
}
