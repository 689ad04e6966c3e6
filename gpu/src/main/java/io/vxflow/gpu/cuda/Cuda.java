package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.*;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.SizeTPointer;

/** Checked CUDA driver API calls and one-time driver initialisation. Owns nothing. */
public final class Cuda {
    private static volatile boolean initialized;

    private Cuda() {}

    /** Initialises the driver once per process. */
    public static void init() {
        if (!initialized) {
            synchronized (Cuda.class) {
                if (!initialized) {
                    check(cuInit(0), "cuInit");
                    initialized = true;
                }
            }
        }
    }

    /** Throws {@link CudaException} naming {@code call} when {@code result} is not CUDA_SUCCESS. */
    public static void check(int result, String call) {
        if (result != CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + errorName(result) + " (" + result + ")", result);
        }
    }

    static String errorName(int result) {
        try (BytePointer name = new BytePointer((BytePointer) null)) {
            if (cuGetErrorName(result, name) == CUDA_SUCCESS && name.address() != 0) {
                return name.getString();
            }
        }
        return "CUDA error";
    }

    public static int deviceCount() {
        init();
        int[] n = new int[1];
        check(cuDeviceGetCount(n), "cuDeviceGetCount");
        return n[0];
    }

    /** Name, compute capability, memory and driver version of a device. */
    public static GpuDevice device(int index) {
        init();
        int count = deviceCount();
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("GPU " + index + " does not exist; this machine has " + count);
        }
        try (IntPointer dev = new IntPointer(1); BytePointer name = new BytePointer(256); SizeTPointer mem = new SizeTPointer(1)) {
            check(cuDeviceGet(dev, index), "cuDeviceGet");
            int d = dev.get();
            check(cuDeviceGetName(name, 256, d), "cuDeviceGetName");
            check(cuDeviceTotalMem(mem, d), "cuDeviceTotalMem");
            int[] v = new int[1];
            check(cuDeviceGetAttribute(v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d), "cuDeviceGetAttribute");
            int major = v[0];
            check(cuDeviceGetAttribute(v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d), "cuDeviceGetAttribute");
            int minor = v[0];
            check(cuDeviceGetAttribute(v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d), "cuDeviceGetAttribute");
            int sms = v[0];
            check(cuDriverGetVersion(v), "cuDriverGetVersion");
            String n = name.getString();
            int nul = n.indexOf('\0');
            return new GpuDevice(index, d, (nul >= 0 ? n.substring(0, nul) : n).trim(), major, minor, sms, mem.get(), v[0]);
        }
    }
}
