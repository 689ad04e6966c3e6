package io.vxflow.gpu.trt;

import io.vxflow.gpu.cuda.GpuDevice;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.ModelInspector;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Everything a serialized TensorRT plan depends on, and so the key of the on-disk engine cache: the
 * model's content, the TensorRT release, the GPU (name and compute capability: TensorRT plans are
 * not portable across either), the precision, the largest batch of the optimization profile, the
 * input element type and the rest of the builder's settings (workspace, profile, flags). Immutable;
 * plain data, so it is usable without TensorRT loaded.
 *
 * @param modelSha256 hex SHA-256 of the ONNX file ({@link ModelInfo#sha256()})
 * @param tensorRtVersion {@code getInferLibVersion()}: major * 10000 + minor * 100 + patch
 * @param tensorRtBuild {@code getInferLibBuildVersion()}: plans are checked against the full
 *     version, build included, when TensorRT deserializes them
 * @param gpuName the device name the driver reports, e.g. {@code NVIDIA H200}
 * @param ccMajor compute capability, major
 * @param ccMinor compute capability, minor
 * @param precision what the engine computes in
 * @param maxBatch the optimization profile's largest batch (its opt and max)
 * @param inputType element type of the image input
 * @param build the builder's other settings, which {@link OnnxEngineBuilder} builds with
 */
public record EngineKey(
        String modelSha256,
        int tensorRtVersion,
        int tensorRtBuild,
        String gpuName,
        int ccMajor,
        int ccMinor,
        Precision precision,
        int maxBatch,
        TensorDataType inputType,
        BuildSettings build) {

    public EngineKey {
        Objects.requireNonNull(modelSha256, "modelSha256");
        Objects.requireNonNull(gpuName, "gpuName");
        Objects.requireNonNull(precision, "precision");
        Objects.requireNonNull(inputType, "inputType");
        Objects.requireNonNull(build, "build");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1, not " + maxBatch);
        }
        if (build.profileOptBatch() > maxBatch) {
            throw new IllegalArgumentException("the profile's opt batch " + build.profileOptBatch() + " is above its max batch " + maxBatch);
        }
    }

    /** The key of {@code model} built for {@code device} with the given TensorRT release. */
    public static EngineKey of(ModelInfo model, GpuDevice device, Precision precision, int maxBatch, int tensorRtVersion,
            int tensorRtBuild) {
        return new EngineKey(model.sha256(), tensorRtVersion, tensorRtBuild, device.name(), device.ccMajor(), device.ccMinor(),
                precision, maxBatch, precision.inputType(), BuildSettings.of(model, precision, maxBatch));
    }

    /** One line naming every field, stable across releases of vxflow; hashed into the file name. */
    public String canonical() {
        return "model=" + modelSha256 + ";tensorrt=" + tensorRtVersion + "." + tensorRtBuild + ";gpu=" + gpuName + ";cc=" + ccMajor
                + "." + ccMinor + ";precision=" + precision + ";maxBatch=" + maxBatch + ";input=" + inputType + ";"
                + build.canonical(maxBatch);
    }

    /**
     * The cache file for this key: the model's name (for people listing the directory) and 16 hex
     * digits of the SHA-256 of {@link #canonical()} (so keys that differ in any field never share a
     * file, and GPUs of different kinds can share one cache directory).
     */
    public String fileName(String modelName) {
        String safe = modelName.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.isEmpty() || safe.startsWith(".")) {
            safe = "model" + safe;
        }
        return safe + "-" + sha256(canonical()).substring(0, 16) + ".engine";
    }

    /** The fields in which {@code other} (say, a cached engine's key) differs from this one, in words. */
    public List<String> differencesFrom(EngineKey other) {
        List<String> d = new ArrayList<>();
        if (!modelSha256.equals(other.modelSha256)) {
            d.add("model sha256 " + ModelInspector.shortHash(other.modelSha256) + " instead of " + ModelInspector.shortHash(modelSha256));
        }
        if (tensorRtVersion != other.tensorRtVersion || tensorRtBuild != other.tensorRtBuild) {
            d.add("TensorRT " + other.tensorRt() + " instead of " + tensorRt());
        }
        if (!gpuName.equals(other.gpuName) || ccMajor != other.ccMajor || ccMinor != other.ccMinor) {
            d.add("GPU " + other.gpuName + " (sm_" + other.ccMajor + other.ccMinor + ") instead of " + gpuName + " (sm_" + ccMajor
                    + ccMinor + ")");
        }
        if (precision != other.precision) {
            d.add("precision " + other.precision + " instead of " + precision);
        }
        if (maxBatch != other.maxBatch) {
            d.add("max batch " + other.maxBatch + " instead of " + maxBatch);
        }
        if (inputType != other.inputType) {
            d.add("input " + other.inputType + " instead of " + inputType);
        }
        d.addAll(build.differencesFrom(other.build, maxBatch, other.maxBatch));
        return d;
    }

    /** For log lines: {@code FP16, max batch 8, NVIDIA H200 (sm_90), TensorRT 10.6.0.26}. */
    public String describe() {
        return precision + ", max batch " + maxBatch + ", " + gpuName + " (sm_" + ccMajor + ccMinor + "), TensorRT " + tensorRt();
    }

    /** The TensorRT release as {@code 10.6.0.26}. */
    public String tensorRt() {
        return tensorRtVersion / 10000 + "." + tensorRtVersion / 100 % 100 + "." + tensorRtVersion % 100 + "." + tensorRtBuild;
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
