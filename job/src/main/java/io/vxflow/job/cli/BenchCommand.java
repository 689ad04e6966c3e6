package io.vxflow.job.cli;

import io.vxflow.gpu.bench.BenchReport;
import io.vxflow.gpu.bench.DecodeBenchmark;
import io.vxflow.gpu.bench.InferBenchmark;
import io.vxflow.gpu.bench.OpsBenchmark;
import io.vxflow.gpu.pipeline.GpuProbe;
import io.vxflow.gpu.trt.Precision;
import io.vxflow.job.Models;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vxflow bench}: benchmarks, printed and written with the machine they ran on. {@code ops},
 * {@code decode} and {@code infer} measure parts on the GPU; {@code e2e} (its own command, {@link
 * BenchE2eCommand}) measures the whole pipeline in production's shape, on either backend.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, subcommands = BenchE2eCommand.class,
        description = {"Benchmarks, printed and written to --out-dir as <what>.md and <what>.jsonl:",
            "  ops     microseconds per 1080p frame of each GPU operator at batch 1 and 32, bandwidth vs the device copy rate",
            "  decode  NVDEC aggregate frames/s for N concurrent 1080p30 H.264 streams, and CPU decode per core",
            "  infer   TensorRT images/s and latency per batch size, engine build time, ONNX Runtime CPU, CPU/GPU parity",
            "  e2e     the whole pipeline in steady state, on the GPU or the CPU backend",
            "          (its own flags: 'vxflow bench e2e --help')"})
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "ops|decode|infer|all", arity = "0..1", description = "What to measure on the GPU (or the e2e command).")
    String what;

    @Option(names = "--gpu", paramLabel = "N", defaultValue = "0", description = "GPU index (default: ${DEFAULT-VALUE}).")
    int gpu;

    @Option(names = "--out-dir", paramLabel = "DIR", defaultValue = "bench-results", description = "Where results go (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--streams", paramLabel = "N,N", split = ",", defaultValue = "1,8,16,32,64", description = "decode: stream counts.")
    int[] streams;

    @Option(names = "--slots", paramLabel = "N", defaultValue = "16", description = "decode: at most this many slots (threads, CUDA streams).")
    int slots;

    @Option(names = "--frames", paramLabel = "N", defaultValue = "600", description = "decode: frames per stream.")
    int frames;

    @Option(names = "--models", paramLabel = "FILE", split = ",", description = "infer: ONNX models (default: the built-in squares model).")
    List<String> models;

    @Option(names = "--batches", paramLabel = "N,N", split = ",", defaultValue = "1,8,16,32,64", description = "infer: batch sizes.")
    int[] batches;

    @Option(names = "--precision", paramLabel = "fp16|fp32", defaultValue = "fp16", description = "infer: engine precision.")
    String precision;

    @Option(names = "--parity-images", paramLabel = "N", defaultValue = "256", description = "infer: images compared with ONNX Runtime (0: none).")
    int parityImages;

    @Mixin
    TensorRtHomeFlag tensorRt;

    @Override
    public Integer call() throws Exception {
        if (what == null) {
            throw new UserError("say what to measure: ops, decode, infer, all or e2e");
        }
        boolean all = what.equals("all");
        if (!all && !List.of("ops", "decode", "infer").contains(what)) {
            throw new UserError("unknown benchmark '" + what + "' (use ops, decode, infer, all or e2e)");
        }
        tensorRt.apply();
        if (!GpuProbe.available()) {
            throw new UserError("vxflow bench " + what + " needs an NVIDIA GPU (vxflow bench e2e --backend cpu does not): " + GpuProbe.reason());
        }
        if (all || what.equals("ops")) {
            BenchReport r = new BenchReport();
            OpsBenchmark.run(r, gpu);
            r.write(outDir, "ops");
        }
        if (all || what.equals("decode")) {
            BenchReport r = new BenchReport();
            DecodeBenchmark.run(r, gpu, streams, slots, frames);
            r.write(outDir, "decode");
        }
        if (all || what.equals("infer")) {
            List<Path> paths = new ArrayList<>();
            for (String m : models == null ? List.of(Models.BUILTIN_SQUARES) : models) {
                paths.add(Models.inspect(m).path() == null ? Path.of(m) : Path.of(Models.inspect(m).path()));
            }
            BenchReport r = new BenchReport();
            InferBenchmark.run(r, gpu, paths, batches, Precision.of(!precision.equalsIgnoreCase("fp32")), parityImages);
            r.write(outDir, "infer");
        }
        System.out.println("results in " + outDir.toAbsolutePath());
        return 0;
    }
}
