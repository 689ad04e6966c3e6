package io.vxflow.gpu.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers whether this process can use an NVIDIA GPU: the CUDA driver loads and reports a device.
 * Tells a machine without an NVIDIA GPU ({@link State#NO_GPU}) from one whose NVIDIA kernel driver
 * shows a GPU that CUDA nevertheless cannot use ({@link State#BROKEN}: the CUDA libraries fail to
 * load, or the driver refuses), which is logged as a warning. Never throws; the answer is computed
 * once.
 */
public final class GpuProbe {
    /** What the probe found. */
    public enum State {
        /** CUDA loads and reports at least one device. */
        AVAILABLE,
        /** No NVIDIA GPU on this machine: no kernel driver device, and CUDA finds none. */
        NO_GPU,
        /** The NVIDIA kernel driver shows a GPU, but CUDA cannot load or use it. */
        BROKEN
    }

    private static final Logger LOG = LoggerFactory.getLogger(GpuProbe.class);
    /** Where the NVIDIA kernel driver shows its GPUs, independently of any CUDA library. */
    private static final Path PROC_GPUS = Path.of("/proc/driver/nvidia/gpus");
    private static final Path DEV = Path.of("/dev");

    private static volatile State state;
    private static volatile int count;
    private static volatile String reason = "not probed";

    private GpuProbe() {}

    public static boolean available() {
        return state() == State.AVAILABLE;
    }

    /** What the probe found; probed once per process. */
    public static State state() {
        if (state == null) {
            synchronized (GpuProbe.class) {
                if (state == null) {
                    state = probe();
                    if (state == State.BROKEN) {
                        LOG.warn("{}; the GPU backend is unavailable", reason);
                    }
                }
            }
        }
        return state;
    }

    /** Visible CUDA devices (0 without a usable driver); probed once per process. */
    public static int deviceCount() {
        state();
        return count;
    }

    /** Why the GPU is or is not available, for messages. */
    public static String reason() {
        state();
        return reason;
    }

    private static State probe() {
        String failure;
        try {
            int[] devices = new int[1];
            int rc = org.bytedeco.cuda.global.cudart.cudaGetDeviceCount(devices);
            if (rc == 0 && devices[0] > 0) {
                count = devices[0];
                reason = devices[0] + " CUDA device(s)";
                return State.AVAILABLE;
            }
            failure = rc == 0 ? "CUDA reports no device" : "cudaGetDeviceCount fails with CUDA error " + rc;
        } catch (Throwable t) {
            failure = "the CUDA libraries cannot be loaded: " + t.getClass().getSimpleName() + ": " + t.getMessage();
        }
        List<String> hardware = nvidiaHardware(PROC_GPUS, DEV);
        if (hardware.isEmpty()) {
            reason = "no NVIDIA GPU (no " + PROC_GPUS + " entries, no /dev/nvidia<N>); " + failure;
            return State.NO_GPU;
        }
        reason = "an NVIDIA GPU is present (" + String.join(", ", hardware) + ") but CUDA cannot use it: " + failure;
        return State.BROKEN;
    }

    /**
     * What the NVIDIA kernel driver shows, without loading any CUDA library: the entries of {@code
     * procGpus} (one per GPU) and the {@code nvidia<N>} device nodes in {@code dev}.
     */
    static List<String> nvidiaHardware(Path procGpus, Path dev) {
        List<String> found = new ArrayList<>();
        for (Path p : list(procGpus)) {
            found.add(p.toString());
        }
        for (Path p : list(dev)) {
            if (p.getFileName().toString().matches("nvidia[0-9]+")) {
                found.add(p.toString());
            }
        }
        found.sort(null);
        return found;
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
