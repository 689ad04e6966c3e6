package io.vxflow.gpu.cuda;

/**
 * A GPU as the driver describes it.
 *
 * @param index the ordinal vxflow was given
 * @param handle the driver's CUdevice
 * @param driverVersion e.g. 13000 for CUDA 13.0
 */
public record GpuDevice(int index, int handle, String name, int ccMajor, int ccMinor, int multiprocessors, long totalMemory, int driverVersion) {
    /** NVRTC's architecture name, e.g. {@code sm_90}. */
    public String arch() {
        return "sm_" + ccMajor + ccMinor;
    }
}
