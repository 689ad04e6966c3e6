package io.vxflow.gpu.trt;

import io.vxflow.gpu.infer.ModelInfo;
import java.util.List;
import java.util.Objects;

/**
 * How {@link OnnxEngineBuilder} configures TensorRT's builder, beyond precision and the largest
 * batch: part of the {@link EngineKey}, so that changing any of them builds a new plan instead of
 * silently loading one built differently. The builder reads its configuration from here and from
 * nothing else. Immutable; plain data, usable without TensorRT loaded.
 *
 * <p>The workspace is keyed by its rule, not by the value a build used: that value is half the
 * device memory free at the time (logged with each build), and keying it would make every start
 * with a different amount of free memory rebuild.
 *
 * @param workspaceMinMib the workspace pool limit is half the free device memory, but at least this
 * @param workspaceMaxMib ... and at most this
 * @param profileMinBatch the optimization profile's smallest batch; 0 for a model with a fixed batch,
 *     which has no profile
 * @param profileOptBatch the batch the profile is tuned for; 0 without a profile. The profile's
 *     largest batch is the key's {@link EngineKey#maxBatch()}
 * @param flags builder flags, each its {@code BuilderFlag} name without the {@code k}, set ({@code
 *     +FP16}) or cleared ({@code -TF32}), in order
 */
public record BuildSettings(long workspaceMinMib, long workspaceMaxMib, int profileMinBatch, int profileOptBatch, List<String> flags) {
    /** What vxflow builds with today: a 64 MiB to 4 GiB workspace. */
    static final long WORKSPACE_MIN_MIB = 64;
    static final long WORKSPACE_MAX_MIB = 4096;

    public BuildSettings {
        flags = List.copyOf(Objects.requireNonNull(flags, "flags"));
        if (workspaceMinMib < 1 || workspaceMaxMib < workspaceMinMib) {
            throw new IllegalArgumentException("workspace must be 1 MiB or more, at most its maximum: " + workspaceMinMib + ".."
                    + workspaceMaxMib + " MiB");
        }
        boolean none = profileMinBatch == 0 && profileOptBatch == 0;
        if (!none && (profileMinBatch < 1 || profileOptBatch < profileMinBatch)) {
            throw new IllegalArgumentException("profile batches must be 1 <= min <= opt (or both 0 for no profile): min "
                    + profileMinBatch + ", opt " + profileOptBatch);
        }
        for (String f : flags) {
            if (!f.matches("[+-][A-Z][A-Z0-9_]*")) {
                throw new IllegalArgumentException("a builder flag is +NAME or -NAME (BuilderFlag without its k), not '" + f + "'");
            }
        }
    }

    /**
     * The settings vxflow builds {@code model} with: FP16 sets the FP16 flag; FP32 clears TF32 (on by
     * default; fp32 must mean IEEE fp32); a model with a dynamic batch gets the profile batch 1 to
     * {@code maxBatch}, tuned for {@code maxBatch} (the slots fill their batches under load).
     */
    static BuildSettings of(ModelInfo model, Precision precision, int maxBatch) {
        List<String> flags = precision == Precision.FP16 ? List.of("+FP16") : List.of("-TF32");
        boolean dynamicBatch = model.fixedBatch() <= 0;
        return new BuildSettings(WORKSPACE_MIN_MIB, WORKSPACE_MAX_MIB, dynamicBatch ? 1 : 0, dynamicBatch ? maxBatch : 0, flags);
    }

    /** Whether the engine has an optimization profile (its model's batch is dynamic). */
    public boolean hasProfile() {
        return profileMinBatch > 0;
    }

    /** Stable text of every field, for {@link EngineKey#canonical()}. */
    String canonical(int maxBatch) {
        return "workspace=" + workspaceMinMib + ".." + workspaceMaxMib + "MiB;profile=" + profile(maxBatch) + ";flags="
                + String.join(",", flags);
    }

    /** The fields in which {@code other} differs from these settings, in words. */
    List<String> differencesFrom(BuildSettings other, int maxBatch, int otherMaxBatch) {
        List<String> d = new java.util.ArrayList<>();
        if (workspaceMinMib != other.workspaceMinMib || workspaceMaxMib != other.workspaceMaxMib) {
            d.add("workspace " + other.workspaceMinMib + ".." + other.workspaceMaxMib + " MiB instead of " + workspaceMinMib + ".."
                    + workspaceMaxMib + " MiB");
        }
        if (profileMinBatch != other.profileMinBatch || profileOptBatch != other.profileOptBatch) {
            d.add("optimization profile " + other.profile(otherMaxBatch) + " instead of " + profile(maxBatch));
        }
        if (!flags.equals(other.flags)) {
            d.add("builder flags " + other.flags + " instead of " + flags);
        }
        return d;
    }

    /** {@code batch 1..8 (opt 8)}, or {@code none} for a fixed-batch model. */
    String profile(int maxBatch) {
        return hasProfile() ? "batch " + profileMinBatch + ".." + maxBatch + " (opt " + profileOptBatch + ")" : "none";
    }
}
