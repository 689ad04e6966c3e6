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
import java.util.HexFormat;
import java.util.List;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles CUDA C to a CUBIN for one GPU architecture with NVRTC, and caches the CUBIN on disk under
 * {@code <cache>/kernels/}, keyed by the source's hash, the options, the architecture, the driver
 * version and NVRTC's version, so a restart or a second TaskManager loads it in milliseconds.
 *
 * <p>Options: {@code --fmad=false} so that every multiply and add rounds as Java's float arithmetic
 * does: the kernels then compute bit for bit what the CPU reference computes.
 */
public final class NvrtcCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(NvrtcCompiler.class);
    static final List<String> OPTIONS = List.of("--fmad=false", "--std=c++17", "-default-device");

    private NvrtcCompiler() {}

    static synchronized byte[] cubin(String source, String name, GpuDevice device) {
        int[] major = new int[1], minor = new int[1];
        checkNvrtc(nvrtcVersion(major, minor), "nvrtcVersion");
        String key = sha256(source + "\n" + OPTIONS + "\n" + device.arch() + "\n" + device.driverVersion() + "\nnvrtc " + major[0] + "." + minor[0]);
        Path file = VxflowCache.directory("kernels").resolve(name.replace(".cu", "") + "-" + device.arch() + "-" + key.substring(0, 16) + ".cubin");
        if (Files.isRegularFile(file)) {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                LOG.warn("kernel cache {} unreadable ({}); compiling again", file, e.getMessage());
            }
        }
        long t0 = System.nanoTime();
        byte[] cubin = compile(source, name, device.arch());
        LOG.info("compiled {} for {} with NVRTC {}.{} in {} ms", name, device.arch(), major[0], minor[0], (System.nanoTime() - t0) / 1_000_000);
        try {
            Path tmp = Files.createTempFile(file.getParent(), "cubin", ".tmp");
            Files.write(tmp, cubin);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot cache compiled kernels in {}: {}", file, e.getMessage());
        }
        return cubin;
    }

    private static byte[] compile(String source, String name, String arch) {
        _nvrtcProgram program = new _nvrtcProgram();
        checkNvrtc(nvrtcCreateProgram(program, new BytePointer(source, StandardCharsets.UTF_8), new BytePointer(name), 0,
                (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram");
        try {
            List<String> options = new java.util.ArrayList<>(OPTIONS);
            options.add("--gpu-architecture=" + arch);
            PointerPointer<BytePointer> opts = new PointerPointer<>(options.size());
            for (int i = 0; i < options.size(); i++) {
                opts.put(i, new BytePointer(options.get(i)));
            }
            int rc = nvrtcCompileProgram(program, options.size(), opts);
            if (rc != NVRTC_SUCCESS) {
                throw new CudaException("NVRTC could not compile " + name + " for " + arch + ":\n" + log(program), rc);
            }
            SizeTPointer size = new SizeTPointer(1);
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
