package io.vxflow.gpu.cuda;

import java.util.Arrays;

/**
 * What NVRTC compiles vxflow's kernels to for one GPU: native code (CUBIN) for the GPU's own
 * architecture when this NVRTC knows it, else PTX for the newest architecture it knows that is not
 * newer than the GPU's, which the driver compiles for the GPU when the module loads (PTX runs on its
 * own and every later architecture). The second case is a GPU newer than the NVRTC: NVRTC 12.6, the
 * one JavaCPP 1.5.11 bundles, knows up to {@code sm_90}; Blackwell ({@code sm_100}, {@code sm_120})
 * came with CUDA 12.8.
 *
 * @param arch the architecture compiled for, e.g. 90 for {@code sm_90} / {@code compute_90}
 * @param ptx PTX for the driver to finish, rather than a CUBIN
 */
public record NvrtcTarget(int arch, boolean ptx) {
    /** NVRTC's name of the target: {@code sm_90} (CUBIN) or {@code compute_90} (PTX). */
    public String name() {
        return (ptx ? "compute_" : "sm_") + arch;
    }

    /** The {@code --gpu-architecture} option that makes NVRTC produce this. */
    public String option() {
        return "--gpu-architecture=" + name();
    }

    /**
     * {@code sm_90} or {@code compute_80}, as NVRTC names targets.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static NvrtcTarget parse(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(sm|compute)_(\\d{2,3})").matcher(name.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("NVRTC target '" + name + "' is not sm_NN or compute_NN");
        }
        return new NvrtcTarget(Integer.parseInt(m.group(2)), m.group(1).equals("compute"));
    }

    /**
     * The target for a GPU of compute capability {@code ccMajor.ccMinor} and an NVRTC that knows the
     * architectures {@code supported} ({@code nvrtcGetSupportedArchs}, e.g. {@code 50, 52, ..., 90}).
     *
     * @throws IllegalStateException when the GPU is older than every architecture NVRTC knows
     */
    public static NvrtcTarget choose(int ccMajor, int ccMinor, int[] supported) {
        int device = ccMajor * 10 + ccMinor;
        int best = -1;
        for (int a : supported) {
            if (a == device) {
                return new NvrtcTarget(device, false);
            }
            if (a < device && a > best) {
                best = a;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("GPU sm_" + device + " is older than every architecture this NVRTC compiles for "
                    + Arrays.toString(supported));
        }
        return new NvrtcTarget(best, true);
    }
}
