package io.vxflow.gpu.trt;

import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_OUT_OF_MEMORY;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_UNKNOWN;
import static org.bytedeco.cuda.global.cudart.cuMemGetInfo;
import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.vxflow.gpu.cuda.Cuda;
import io.vxflow.gpu.cuda.CudaException;
import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.infer.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.global.nvonnxparser.ErrorCode;
import org.bytedeco.tensorrt.nvinfer.Dims4;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.bytedeco.tensorrt.nvonnxparser.IParserError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a serialized TensorRT plan from the user's ONNX model: parses it with TensorRT's ONNX
 * parser, fixes the I/O contract vxflow relies on, and builds with one optimization profile.
 *
 * <ul>
 *   <li>Input: the model's one image input {@code [batch, 3, H, W]}, linear NCHW; half precision
 *       for {@link Precision#FP16} (the normalize kernel writes fp16 into the batch tensor), float32
 *       otherwise. Profile: the key's {@link BuildSettings} batches up to its max batch, H and W from
 *       the model; none for a model with a fixed batch.
 *   <li>Output: the model's output vxflow reads ({@link ModelInfo#outputName()}), float32, linear;
 *       any other outputs are unmarked so TensorRT prunes what only they need.
 *   <li>Workspace: half the free device memory, within the key's {@link BuildSettings} bounds; when
 *       the build runs out of memory it is retried once with half that, then fails with a
 *       {@link CudaException} whose {@code isOutOfMemory()} is true.
 *   <li>Builder flags: exactly the key's {@link BuildSettings#flags()}, set or cleared.
 * </ul>
 *
 * <p>Every setting that can vary comes from the {@link EngineKey}, so a change to one is a change
 * of key and never loads a cached plan built otherwise.
 *
 * <p>A file TensorRT cannot parse, or a network it cannot build, is a {@link ModelException} with
 * one line naming the model and TensorRT's first errors. Builds run one at a time per process (they
 * are long and want most of the GPU). The caller makes the target device's primary context current.
 * Every TensorRT object made here is deleted before returning, except the {@code IParser}, which
 * JavaCPP 1.5.11 cannot delete (see {@link CppDelete}): each build leaks one parser, about the size
 * of the model's weights in host memory.
 */
final class OnnxEngineBuilder {
    private static final long MAX_PLAN_BYTES = Integer.MAX_VALUE - 64;
    private static final int PARSER_ERRORS_SHOWN = 3;
    private static final Logger LOG = LoggerFactory.getLogger(OnnxEngineBuilder.class);
    private static final Object ONE_BUILD_AT_A_TIME = new Object();

    private final ModelInfo model;
    private final EngineKey key;
    private final TrtLogger logger = TrtLogger.INSTANCE;

    private OnnxEngineBuilder(ModelInfo model, EngineKey key) {
        this.model = model;
        this.key = key;
    }

    /** The serialized plan of {@code model} for {@code key}. */
    static byte[] build(ModelInfo model, EngineKey key) {
        checkModelFile(model);
        synchronized (ONE_BUILD_AT_A_TIME) {
            return new OnnxEngineBuilder(model, key).run();
        }
    }

    private byte[] run() {
        IBuilder builder = null;
        INetworkDefinition network = null;
        IBuilderConfig config = null;
        try {
            long mark = logger.mark();
            builder = CppDelete.attach(createInferBuilder(logger), IBuilder::new);
            requireNonNull(builder, "createInferBuilder", mark);
            network = CppDelete.attach(builder.createNetworkV2(0), INetworkDefinition::new); // TensorRT 10: always explicit batch
            requireNonNull(network, "createNetworkV2", mark);
            parse(network);
            boolean dynamicBatch = prepareIo(network);
            config = CppDelete.attach(builder.createBuilderConfig(), IBuilderConfig::new);
            requireNonNull(config, "createBuilderConfig", mark);
            configure(builder, config, network.getInput(0).getName(), dynamicBatch);
            return buildWithRetry(builder, network, config);
        } finally {
            close(config);
            close(network);
            close(builder);
        }
    }

    private void parse(INetworkDefinition network) {
        long mark = logger.mark();
        // Deliberately never deleted: JavaCPP 1.5.11 has no deleter for the abstract IParser, and the
        // parser owns weights that the network refers to until the build ends.
        IParser parser = createParser(network, logger);
        if (parser == null || parser.isNull()) {
            throw new CudaException("createParser failed for model " + model.name() + ": " + logger.errorLine(mark, "no error logged"),
                    CUDA_ERROR_UNKNOWN);
        }
        if (!parser.parseFromFile(model.path(), ILogger.Severity.kWARNING.value)) {
            throw new ModelException("model " + model.name() + " (" + model.path() + ") cannot be parsed by TensorRT's ONNX parser: "
                    + parserErrors(parser, mark));
        }
    }

    private String parserErrors(IParser parser, long mark) {
        List<String> lines = new ArrayList<>();
        int n = parser.getNbErrors();
        for (int i = 0; i < Math.min(n, PARSER_ERRORS_SHOWN); i++) {
            lines.add(describe(parser.getError(i)));
        }
        if (n > PARSER_ERRORS_SHOWN) {
            lines.add("and " + (n - PARSER_ERRORS_SHOWN) + " more");
        }
        String text = lines.isEmpty() ? logger.errorLine(mark, "no error reported") : String.join("; ", lines);
        return text.replace('\n', ' ').strip();
    }

    private static String describe(IParserError e) {
        if (e == null || e.isNull()) {
            return "unknown error";
        }
        StringBuilder s = new StringBuilder("[").append(codeName(e.code())).append("] ").append(nullToEmpty(e.desc()).strip());
        String node = nullToEmpty(e.nodeName());
        String op = nullToEmpty(e.nodeOperator());
        if (e.node() >= 0 || !node.isEmpty()) {
            s.append(" at node ").append(e.node());
            if (!node.isEmpty()) {
                s.append(" '").append(node).append('\'');
            }
            if (!op.isEmpty()) {
                s.append(" (").append(op).append(')');
            }
        }
        return s.toString();
    }

    private static String codeName(ErrorCode code) {
        if (code != null) {
            for (ErrorCode c : ErrorCode.values()) {
                if (c.value == code.value) {
                    return c.name();
                }
            }
        }
        return "error";
    }

    /** Checks the parsed network against the model and sets I/O types and formats; true for a dynamic batch. */
    private boolean prepareIo(INetworkDefinition network) {
        if (network.getNbInputs() == 0) {
            // TensorRT's ONNX parser accepts some files that are not ONNX and yields an empty network
            throw modelError("is not a usable ONNX model: TensorRT's ONNX parser found no inputs in it");
        }
        if (network.getNbInputs() != 1) {
            throw modelError("has " + network.getNbInputs() + " inputs after parsing; vxflow feeds exactly one image input");
        }
        ITensor input = network.getInput(0);
        if (!model.inputName().equals(input.getName())) {
            throw modelError("input is '" + input.getName() + "' in TensorRT but '" + model.inputName() + "' in ONNX Runtime");
        }
        boolean dynamicBatch = checkInputDims(input);
        ITensor output = keepOnlyOutput(network);
        int linear = 1 << TensorFormat.kLINEAR.value;
        input.setType(key.precision() == Precision.FP16 ? DataType.kHALF : DataType.kFLOAT);
        input.setAllowedFormats(linear);
        output.setType(DataType.kFLOAT);
        output.setAllowedFormats(linear);
        return dynamicBatch;
    }

    private boolean checkInputDims(ITensor input) {
        try (Dims64 d = input.getDimensions()) {
            long[] dims = new long[Math.max(0, d.nbDims())];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = d.d(i);
            }
            long batch = model.fixedBatch() > 0 ? model.fixedBatch() : -1;
            boolean fits = dims.length == 4 && (batch > 0 ? dims[0] == batch : dims[0] < 0) && dims[1] == 3
                    && dims[2] == model.inputHeight() && dims[3] == model.inputWidth();
            if (!fits) {
                throw modelError("input '" + input.getName() + "' has shape " + Arrays.toString(dims)
                        + " in TensorRT; expected [" + batch + ", 3, "
                        + model.inputHeight() + ", " + model.inputWidth() + "]");
            }
            return dims[0] < 0;
        }
    }

    private ITensor keepOnlyOutput(INetworkDefinition network) {
        ITensor keep = null;
        List<ITensor> others = new ArrayList<>();
        for (int i = 0; i < network.getNbOutputs(); i++) {
            ITensor t = network.getOutput(i);
            if (keep == null && model.outputName().equals(t.getName())) {
                keep = t;
            } else {
                others.add(t);
            }
        }
        if (keep == null) {
            throw modelError("has no output named '" + model.outputName() + "' after parsing");
        }
        for (ITensor t : others) {
            LOG.info("model {}: output '{}' is not read by vxflow; unmarking it", model.name(), t.getName());
            network.unmarkOutput(t);
        }
        return keep;
    }

    private void configure(IBuilder builder, IBuilderConfig config, String inputName, boolean dynamicBatch) {
        BuildSettings settings = key.build();
        for (String flag : settings.flags()) {
            if (flag.charAt(0) == '+') {
                config.setFlag(builderFlag(flag));
            } else {
                config.clearFlag(builderFlag(flag));
            }
        }
        if (dynamicBatch != settings.hasProfile()) {
            throw modelError("has a " + (dynamicBatch ? "dynamic" : "fixed") + " batch in TensorRT but the engine key's profile is "
                    + settings.profile(key.maxBatch()));
        }
        if (!dynamicBatch) {
            return;
        }
        IOptimizationProfile profile = builder.createOptimizationProfile(); // owned by the builder
        boolean ok;
        try (Dims64 min = new Dims4(settings.profileMinBatch(), 3, model.inputHeight(), model.inputWidth());
                Dims64 opt = new Dims4(settings.profileOptBatch(), 3, model.inputHeight(), model.inputWidth());
                Dims64 max = new Dims4(key.maxBatch(), 3, model.inputHeight(), model.inputWidth())) {
            ok = profile.setDimensions(inputName, OptProfileSelector.kMIN, min)
                    && profile.setDimensions(inputName, OptProfileSelector.kOPT, opt)
                    && profile.setDimensions(inputName, OptProfileSelector.kMAX, max);
        }
        if (!ok || config.addOptimizationProfile(profile) < 0) {
            throw modelError("rejects the optimization profile " + settings.profile(key.maxBatch()) + " for input '" + inputName + "'");
        }
    }

    /** TensorRT's flag for a {@link BuildSettings#flags()} entry ({@code +FP16} is {@code kFP16}). */
    static BuilderFlag builderFlag(String flag) {
        try {
            return BuilderFlag.valueOf("k" + flag.substring(1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("TensorRT has no builder flag k" + flag.substring(1) + " (engine key flag " + flag + ")", e);
        }
    }

    private byte[] buildWithRetry(IBuilder builder, INetworkDefinition network, IBuilderConfig config) {
        long free = freeDeviceMemory();
        BuildSettings settings = key.build();
        long first = Math.max(settings.workspaceMinMib() << 20, Math.min(settings.workspaceMaxMib() << 20, free / 2));
        long workspace = first;
        for (int attempt = 0; ; attempt++) {
            config.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, workspace);
            long mark = logger.mark();
            byte[] plan = buildOnce(builder, network, config, workspace);
            if (plan != null) {
                return plan;
            }
            String line = logger.errorLine(mark, "no error logged");
            if (!logger.ranOutOfMemorySince(mark)) {
                throw modelError("cannot be built by TensorRT (" + key.describe() + "): " + line);
            }
            if (attempt == 0) {
                LOG.warn("building {} ran out of memory with a {} MiB workspace; retrying with {} MiB", model.name(), mib(workspace),
                        mib(workspace / 2));
                workspace /= 2;
                continue;
            }
            throw new CudaException("building the TensorRT engine for model " + model.name() + " ran out of GPU memory (workspace "
                    + mib(first) + " MiB, then " + mib(workspace) + " MiB; " + mib(free) + " MiB free before the build): " + line,
                    CUDA_ERROR_OUT_OF_MEMORY);
        }
    }

    /** One build; the plan's bytes, or null when TensorRT returned none. */
    private byte[] buildOnce(IBuilder builder, INetworkDefinition network, IBuilderConfig config, long workspace) {
        IHostMemory plan;
        long millis;
        try (BuildProgress progress = new BuildProgress(model.name() + " (" + key.describe() + ")")) {
            plan = CppDelete.attach(builder.buildSerializedNetwork(network, config), IHostMemory::new);
            millis = progress.elapsedMillis();
        }
        if (plan == null || plan.isNull()) {
            return null;
        }
        try {
            long size = plan.size();
            if (size > MAX_PLAN_BYTES) {
                throw modelError("gives a " + size + "-byte plan; vxflow caches plans up to 2 GiB");
            }
            byte[] bytes = new byte[(int) size];
            new BytePointer(plan.data()).capacity(size).get(bytes);
            LOG.info("built TensorRT engine for {} ({}) in {} s: {} MB plan, workspace limit {} MiB", model.name(), key.describe(),
                    millis / 1000, size / 1_000_000, mib(workspace));
            return bytes;
        } finally {
            plan.close();
        }
    }

    private static long freeDeviceMemory() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            Cuda.check(cuMemGetInfo(free, total), "cuMemGetInfo");
            return free.get();
        }
    }

    private void requireNonNull(Pointer p, String call, long mark) {
        if (p == null || p.isNull()) {
            throw new CudaException(call + " failed while building model " + model.name() + ": "
                    + logger.errorLine(mark, "no error logged"), logger.ranOutOfMemorySince(mark) ? CUDA_ERROR_OUT_OF_MEMORY : CUDA_ERROR_UNKNOWN);
        }
    }

    private ModelException modelError(String what) {
        return new ModelException("model " + model.name() + " (" + model.path() + ") " + what);
    }

    /** The file is there and is the file that was inspected (the cache key is its hash). */
    static void checkModelFile(ModelInfo model) {
        Path path = Path.of(model.path());
        if (!Files.isRegularFile(path)) {
            throw new ModelException("model " + model.name() + ": " + path + " does not exist or is not a file");
        }
        String sha = io.vxflow.gpu.infer.ModelInspector.sha256(path);
        if (!sha.equals(model.sha256())) {
            throw new ModelException("model " + model.name() + " (" + path + ") has changed since it was inspected: sha256 " + sha
                    + ", expected " + model.sha256());
        }
    }


    private static long mib(long bytes) {
        return bytes >> 20;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static void close(Pointer p) {
        if (p != null) {
            p.close();
        }
    }
}
