package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.nvrtc.*;

import io.vxflow.gpu.VxflowCache;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles CUDA C with NVRTC for one GPU, and caches the result on disk under {@code
 * <cache>/kernels/}, keyed by the source's hash, the options, the target, the driver version and
 * NVRTC's version, so a restart or a second TaskManager loads it in milliseconds. The result is a
 * CUBIN for the GPU's architecture, or, for a GPU newer than this NVRTC knows (Blackwell with the
 * bundled NVRTC 12.6), PTX for the newest architecture it knows, which the driver compiles when the
 * module loads ({@link NvrtcTarget}; logged once per architecture).
 *
 * <p>Options: {@code --fmad=false} so that every multiply and add rounds as Java's float arithmetic
 * does: the kernels then compute bit for bit what the CPU reference computes.
 */
public final class NvrtcCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(NvrtcCompiler.class);
    static final List<String> OPTIONS = List.of("--fmad=false", "--std=c++17", "-default-device");
    /**
     * Diagnostic: compile for this target ({@code compute_80}, {@code sm_90}) instead of the one
     * {@link NvrtcTarget#choose} picks; the GPU tests run the PTX path on a GPU NVRTC knows with it.
     */
    public static final String TARGET_PROPERTY = "vxflow.nvrtc.target";
    private static final Set<String> LOGGED_NEWER = new HashSet<>();
    private static int[] supportedArchs;

    private NvrtcCompiler() {}

    static synchronized byte[] image(String source, String name, GpuDevice device) {
        int[] major = new int[1], minor = new int[1];
        checkNvrtc(nvrtcVersion(major, minor), "nvrtcVersion");
        NvrtcTarget target = target(device, major[0] + "." + minor[0]);
        String key = sha256(source + "\n" + OPTIONS + "\n" + target.name() + "\n" + device.driverVersion() + "\nnvrtc " + major[0] + "." + minor[0]);
        Path file = VxflowCache.directory("kernels").resolve(name.replace(".cu", "") + "-" + target.name() + "-" + key.substring(0, 16)
                + (target.ptx() ? ".ptx" : ".cubin"));
        if (Files.isRegularFile(file)) {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                LOG.warn("kernel cache {} unreadable ({}); compiling again", file, e.getMessage());
            }
        }
        long t0 = System.nanoTime();
        byte[] image = compile(source, name, target);
        LOG.info("compiled {} for {} with NVRTC {}.{} in {} ms", name, target.name(), major[0], minor[0], (System.nanoTime() - t0) / 1_000_000);
        try {
            Path tmp = Files.createTempFile(file.getParent(), "kernel", ".tmp");
            Files.write(tmp, image);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot cache compiled kernels in {}: {}", file, e.getMessage());
        }
        return image;
    }

    /** The target for {@code device} with this NVRTC's architectures; a GPU newer than NVRTC is logged once per architecture. */
    private static NvrtcTarget target(GpuDevice device, String nvrtcVersion) {
        String forced = System.getProperty(TARGET_PROPERTY);
        if (forced != null && !forced.isBlank()) {
            return NvrtcTarget.parse(forced);
        }
        NvrtcTarget target = NvrtcTarget.choose(device.ccMajor(), device.ccMinor(), supportedArchs());
        if (target.ptx() && LOGGED_NEWER.add(device.arch())) {
            LOG.info("GPU {} ({}) is newer than NVRTC {} knows (up to sm_{}): kernels are compiled to PTX for {} and the driver compiles"
                    + " them for the GPU when they load", device.name(), device.arch(), nvrtcVersion, target.arch(), target.name());
        }
        return target;
    }

    private static int[] supportedArchs() {
        if (supportedArchs == null) {
            int[] n = new int[1];
            checkNvrtc(nvrtcGetNumSupportedArchs(n), "nvrtcGetNumSupportedArchs");
            int[] archs = new int[n[0]];
            checkNvrtc(nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs");
            supportedArchs = archs;
        }
        return supportedArchs;
    }

    private static byte[] compile(String source, String name, NvrtcTarget target) {
        _nvrtcProgram program = new _nvrtcProgram();
        checkNvrtc(nvrtcCreateProgram(program, new BytePointer(source, StandardCharsets.UTF_8), new BytePointer(name), 0,
                (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram");
        try {
            List<String> options = new java.util.ArrayList<>(OPTIONS);
            options.add(target.option());
            PointerPointer<BytePointer> opts = new PointerPointer<>(options.size());
            for (int i = 0; i < options.size(); i++) {
                opts.put(i, new BytePointer(options.get(i)));
            }
            int rc = nvrtcCompileProgram(program, options.size(), opts);
            if (rc != NVRTC_SUCCESS) {
                throw new CudaException("NVRTC could not compile " + name + " for " + target.name() + ":\n" + log(program), rc);
            }
            SizeTPointer size = new SizeTPointer(1);
            if (target.ptx()) {
                // PTX text with its terminating NUL (counted in the size), as cuModuleLoadData wants it
                checkNvrtc(nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize");
                byte[] ptx = new byte[(int) size.get()];
                checkNvrtc(nvrtcGetPTX(program, ptx), "nvrtcGetPTX");
                return ptx;
            }
            checkNvrtc(nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            byte[] cubin = new byte[(int) size.get()];
            checkNvrtc(nvrtcGetCUBIN(program, cubin), "nvrtcGetCUBIN");
            return cubin;
        } finally {
            nvrtcDestroyProgram(program);
        }
    }

    private static String log(_nvrtcProgram program) {
        SizeTPointer size = new SizeTPointer(1);
        nvrtcGetProgramLogSize(program, size);
        byte[] log = new byte[(int) size.get()];
        nvrtcGetProgramLog(program, log);
        return new String(log, StandardCharsets.UTF_8).trim();
    }

    private static void checkNvrtc(int rc, String call) {
        if (rc != NVRTC_SUCCESS) {
            throw new CudaException(call + " failed: " + nvrtcGetErrorString(rc).getString(), rc);
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
