package io.vxflow.gpu.pipeline;

/**
 * Answers whether this process can use an NVIDIA GPU: the CUDA driver loads and reports a device.
 * Never throws; the answer is computed once.
 */
public final class GpuProbe {
    private static volatile Boolean available;
    private static volatile int count;
    private static volatile String reason = "not probed";

    private GpuProbe() {}

    public static boolean available() {
        if (available == null) {
            synchronized (GpuProbe.class) {
                if (available == null) {
                    available = probe();
                }
            }
        }
        return available;
    }

    /** Visible CUDA devices (0 without a usable driver); probed once per process. */
    public static int deviceCount() {
        available();
        return count;
    }

    /** Why the GPU is or is not available, for messages. */
    public static String reason() {
        available();
        return reason;
    }

    private static boolean probe() {
        try {
            int[] count = new int[1];
            int rc = org.bytedeco.cuda.global.cudart.cudaGetDeviceCount(count);
            if (rc != 0) {
                reason = "CUDA reports error " + rc + " (no NVIDIA driver or no device)";
                return false;
            }
            reason = count[0] + " CUDA device(s)";
            GpuProbe.count = count[0];
            return count[0] > 0;
        } catch (Throwable t) {
            reason = "CUDA runtime not loadable: " + t.getClass().getSimpleName() + ": " + t.getMessage();
            return false;
        }
    }
}
