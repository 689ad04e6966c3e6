package io.vxflow.job.cli;

import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.GpuProbe;
import io.vxflow.job.Engines;
import io.vxflow.job.Models;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vxflow engine build}: fills the TensorRT engine cache before a job needs it. */
@Command(name = "engine", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Builds a model's TensorRT engine into the engine cache ($VXFLOW_CACHE_DIR, default ~/.cache/vxflow/engines),",
            "so that jobs load it in seconds instead of building it while streams wait. Run it on each GPU node (or once on a",
            "cache directory the node's TaskManagers share), with the settings the job will use."})
final class EngineCommand implements Callable<Integer> {
    @Parameters(paramLabel = "build", description = "What to do: build.")
    String action;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "ONNX model; 'squares' is the built-in test detector.")
    String model;

    @Option(names = "--max-batch", paramLabel = "N", defaultValue = "8", description = "Largest batch the engine takes: the job's --batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--precision", paramLabel = "fp16|fp32", defaultValue = "fp16", description = "Engine precision (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--gpu", paramLabel = "N", defaultValue = "0", description = "GPU index (default: ${DEFAULT-VALUE}).")
    int gpu;

    @Mixin
    TensorRtHomeFlag tensorRt;

    @Override
    public Integer call() {
        PipelineFlags.require(action.equals("build"), "unknown action '" + action + "' (use: vxflow engine build --model FILE)");
        PipelineFlags.require(maxBatch >= 1, "--max-batch must be at least 1");
        String p = precision.toLowerCase(Locale.ROOT);
        PipelineFlags.require(p.equals("fp16") || p.equals("fp32"), "--precision must be fp16 or fp32");
        tensorRt.apply();
        if (!GpuProbe.available()) {
            throw new UserError("vxflow engine build needs an NVIDIA GPU: " + GpuProbe.reason());
        }
        PipelineFlags.require(gpu >= 0 && gpu < GpuProbe.deviceCount(), "--gpu must be 0.." + (GpuProbe.deviceCount() - 1));
        ModelInfo info = Models.inspect(model);
        int batch = info.fixedBatch() > 0 ? info.fixedBatch() : maxBatch;
        Engines.prepare(info, p.equals("fp16"), batch, gpu, System.out);
        return 0;
    }
}
