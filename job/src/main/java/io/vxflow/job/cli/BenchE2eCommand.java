package io.vxflow.job.cli;

import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.GpuProbe;
import io.vxflow.job.Models;
import io.vxflow.job.bench.ChildFailedException;
import io.vxflow.job.bench.E2eBenchmark;
import io.vxflow.job.bench.E2eSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vxflow bench e2e}: the steady-state end-to-end benchmark, broker, producer and job each in its own JVM. */
@Command(name = "e2e", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Steady-state end-to-end benchmark, as in production: a Kafka broker, a real-time",
            "producer of N synthetic 1080p30 H.264 streams and the vxflow job, each in a JVM",
            "of its own; this process checks the committed results. Warm-up is reported apart",
            "from the measured window. At the same stream count it also measures NVDEC",
            "decoding alone, the conventional pipeline (CPU decode) and the CPU backend",
            "(--compare). Appends one JSON object per run to DIR/e2e.jsonl; rewrites",
            "DIR/e2e.md and the plots (DIR/*.svg)."})
final class BenchE2eCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--streams", paramLabel = "N", defaultValue = "2", description = "Real-time streams (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--find-max", description = "Find the most streams that keep pace (results/s >= 98%% of input, p99 <= --target-p99-ms).")
    boolean findMax;

    @Option(names = "--start", paramLabel = "N", defaultValue = "8", description = "--find-max: first stream count (default: ${DEFAULT-VALUE}).")
    int start;

    @Option(names = "--max-streams", paramLabel = "N", defaultValue = "512", description = "--find-max: most streams tried (default: ${DEFAULT-VALUE}).")
    int maxStreams;

    @Option(names = "--probe-seconds", paramLabel = "S", defaultValue = "20", description = "--find-max: window of each probe (default: ${DEFAULT-VALUE}).")
    int probeSeconds;

    @Option(names = "--model", paramLabel = "M", defaultValue = "squares",
            description = "ONNX model; 'squares' (the default) is the built-in detector whose boxes are checked.")
    String model;

    @Option(names = "--backend", paramLabel = "auto|gpu|cpu", defaultValue = "auto", description = "auto: gpu if there is one (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--decode", paramLabel = "nvdec|cpu", defaultValue = "nvdec", description = "GPU backend: decode on NVDEC or on the CPU (default: ${DEFAULT-VALUE}).")
    String decode;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "60", description = "Measured steady-state window (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "10",
            description = "Seconds after every stream's first result before the window opens (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--out-dir", paramLabel = "DIR", defaultValue = "bench-results", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--slots", paramLabel = "N", description = "Task slots of the job (default: one per core, at most one per stream).")
    Integer slots;

    @Option(names = "--batch", paramLabel = "N", description = "Images per inference batch (default: the job's, 8).")
    Integer batch;

    @Option(names = "--max-wait-ms", paramLabel = "MS", description = "Longest a frame waits for its batch (default: the job's, 10).")
    Long maxWaitMillis;

    @Option(names = "--precision", paramLabel = "fp16|fp32", description = "GPU inference precision (default: the job's, fp16).")
    String precision;

    @Option(names = "--target-p99-ms", paramLabel = "MS", defaultValue = "100", description = "Latency target for catch-up and --find-max (default: ${DEFAULT-VALUE}).")
    long targetP99;

    @Option(names = "--compare", paramLabel = "WHAT", split = ",", defaultValue = "nvdec,conventional,cpu",
            description = "Also measure at the same stream count: nvdec (decoding alone), conventional (CPU decode), cpu (backend); none (default: ${DEFAULT-VALUE}).")
    List<String> compare;

    @Option(names = "--compare-seconds", paramLabel = "S", defaultValue = "60",
            description = "Window of the conventional and CPU-backend comparisons, which are not drained (default: ${DEFAULT-VALUE}).")
    int compareSeconds;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions of the frames and results topics (default: one per stream, at most 64).")
    Integer partitions;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "MS", defaultValue = "2000", description = "The job's checkpoint interval (default: ${DEFAULT-VALUE}).")
    long checkpointMillis;

    @Option(names = "--job-heap", paramLabel = "SIZE", defaultValue = "4g", description = "The job JVM's -Xmx (default: ${DEFAULT-VALUE}).")
    String jobHeap;

    @Option(names = "--gpu", paramLabel = "N", defaultValue = "0", description = "GPU sampled with nvidia-smi and used by NVDEC alone (default: ${DEFAULT-VALUE}).")
    int gpu;

    @Option(names = "--broker-dir", paramLabel = "DIR",
            description = "Where the broker keeps its log (default: the system's temporary directory). The frames topic takes 0.5 MB/s a stream:"
                    + " on a machine whose disk cannot take that (a VM's virtual disk), a tmpfs such as /dev/shm.")
    Path brokerDir;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Any job option (see the README), passed to 'vxflow run'.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        E2eSettings settings = settings();
        ModelInfo info = Models.inspect(model);
        try {
            return new E2eBenchmark(settings, info.name(), System.out).run() ? 0 : 1;
        } catch (ChildFailedException e) {
            // the child's log has the story; our stack trace would add nothing
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        }
    }

    E2eSettings settings() {
        boolean streamsGiven = spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--streams");
        PipelineFlags.require(!(findMax && streamsGiven), "give --streams N or --find-max, not both");
        PipelineFlags.require(streams >= 1 && streams <= 1000, "--streams must be 1..1000");
        PipelineFlags.require(start >= 1 && maxStreams >= 1 && maxStreams <= 1000, "--start and --max-streams must be 1..1000");
        PipelineFlags.require(seconds >= 1 && seconds <= 3600 && probeSeconds >= 1 && probeSeconds <= 3600, "--seconds and --probe-seconds must be 1..3600");
        PipelineFlags.require(warmup >= 0 && warmup <= 600, "--warmup must be 0..600");
        PipelineFlags.require(targetP99 > 0, "--target-p99-ms must be positive");
        PipelineFlags.require(checkpointMillis > 0, "--checkpoint-interval-ms must be positive");
        PipelineFlags.require(slots == null || slots > 0, "--slots must be positive");
        PipelineFlags.require(batch == null || batch > 0, "--batch must be positive");
        PipelineFlags.require(maxWaitMillis == null || maxWaitMillis >= 0, "--max-wait-ms must not be negative");
        PipelineFlags.require(partitions == null || partitions > 0, "--partitions must be positive");
        PipelineFlags.require(precision == null || precision.equals("fp16") || precision.equals("fp32"), "--precision must be fp16 or fp32");
        PipelineFlags.require(jobHeap.matches("[0-9]+[kKmMgG]?"), "--job-heap must be a JVM heap size such as 4g");
        PipelineFlags.require(decode.equals("nvdec") || decode.equals("cpu"), "unknown --decode '" + decode + "' (use nvdec or cpu)");
        Set<String> comparisons = new LinkedHashSet<>();
        for (String c : compare) {
            if (!c.equals("none")) {
                PipelineFlags.require(E2eSettings.COMPARISONS.contains(c), "unknown --compare '" + c + "' (use nvdec, conventional, cpu or none)");
                comparisons.add(c);
            }
        }
        PipelineFlags.require(compareSeconds >= 5, "--compare-seconds must be at least 5");
        PipelineFlags.require(brokerDir == null || Files.isDirectory(brokerDir), "--broker-dir " + brokerDir + " is not a directory");
        E2eSettings.Pipeline pipeline = new E2eSettings.Pipeline(model, resolveBackend(), decode, slots, batch, maxWaitMillis, precision, properties);
        boolean engineCommand = spec.root().subcommands().containsKey("engine");
        return new E2eSettings(streams, findMax ? new E2eSettings.Search(start, maxStreams, probeSeconds) : null, pipeline, seconds, warmup,
                targetP99, checkpointMillis, partitions, comparisons, compareSeconds, outDir, jobHeap, gpu, brokerDir, engineCommand, commandLine());
    }

    private String resolveBackend() {
        switch (backend) {
            case "cpu":
                return "cpu";
            case "gpu":
                if (!GpuProbe.available()) {
                    throw new UserError("vxflow bench e2e --backend gpu needs an NVIDIA GPU: " + GpuProbe.reason());
                }
                return "gpu";
            case "auto":
                return GpuProbe.available() ? "gpu" : "cpu";
            default:
                throw new UserError("unknown backend '" + backend + "' (use auto, gpu or cpu)");
        }
    }

    private String commandLine() {
        var parsed = spec.commandLine().getParseResult();
        List<String> args = parsed != null ? parsed.originalArgs() : List.of();
        return "vxflow " + String.join(" ", args);
    }
}
