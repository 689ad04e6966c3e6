package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.cuDeviceGetPCIBusId;
import static org.bytedeco.cuda.global.nvml.NVML_SUCCESS;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetDecoderUtilization;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetHandleByPciBusId_v2;
import static org.bytedeco.cuda.global.nvml.nvmlDeviceGetUtilizationRates;
import static org.bytedeco.cuda.global.nvml.nvmlInit_v2;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.nvml.nvmlDevice_st;
import org.bytedeco.cuda.nvml.nvmlUtilization_t;
import org.bytedeco.javacpp.BytePointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How busy one GPU and its NVDEC engines are, as the driver's NVML reports it (the numbers
 * {@code nvidia-smi} shows), as ratios in [0, 1]. One reader per device and process, shared by the
 * device's slots: {@link #refresh()} asks NVML at most once a second however many slots call it,
 * and the getters return the last answer (NaN before the first, or where NVML does not support the
 * query). The device is found by its PCI bus id, so CUDA's and NVML's numbering may differ.
 *
 * <p>Only for the GPU backend: NVML comes with the NVIDIA driver ({@code libnvidia-ml.so.1}), and a
 * machine whose driver lacks it gets no reader ({@link #forDevice} returns null, logged once) rather
 * than an error. Owns an NVML device handle, which needs no release.
 */
public final class NvmlReader {
    private static final Logger LOG = LoggerFactory.getLogger(NvmlReader.class);
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private static final Map<String, NvmlReader> BY_BUS_ID = new HashMap<>();
    /** Null until NVML was tried; then whether it initialised. */
    private static Boolean initialised;

    private final nvmlDevice_st device;
    private final nvmlUtilization_t utilization = new nvmlUtilization_t();
    private final int[] decoder = new int[1];
    private final int[] samplingMicros = new int[1];
    private long lastRead = System.nanoTime() - INTERVAL_NANOS;
    private volatile double gpu = Double.NaN;
    private volatile double nvdec = Double.NaN;

    private NvmlReader(nvmlDevice_st device) {
        this.device = device;
    }

    /** The shared reader of a CUDA device, or null where NVML is not available (logged once) or does not know the device. */
    public static synchronized NvmlReader forDevice(GpuDevice cudaDevice) {
        if (!init()) {
            return null;
        }
        byte[] busId = new byte[32];
        Cuda.check(cuDeviceGetPCIBusId(busId, busId.length, cudaDevice.handle()), "cuDeviceGetPCIBusId");
        String id = new String(busId, 0, indexOfZero(busId), StandardCharsets.US_ASCII);
        NvmlReader r = BY_BUS_ID.get(id);
        if (r == null) {
            nvmlDevice_st handle = new nvmlDevice_st();
            int rc;
            try (BytePointer bus = new BytePointer(id)) {
                rc = nvmlDeviceGetHandleByPciBusId_v2(bus, handle);
            }
            if (rc != NVML_SUCCESS) {
                LOG.warn("NVML does not know GPU {} at PCI {} (error {}): no GPU and NVDEC utilisation metrics for it", cudaDevice.index(), id, rc);
                return null;
            }
            r = new NvmlReader(handle);
            BY_BUS_ID.put(id, r);
        }
        return r;
    }

    private static boolean init() {
        if (initialised == null) {
            try {
                int rc = nvmlInit_v2();
                initialised = rc == NVML_SUCCESS;
                if (!initialised) {
                    LOG.warn("NVML did not initialise (error {}): no GPU and NVDEC utilisation metrics", rc);
                }
            } catch (LinkageError e) {
                initialised = false;
                LOG.warn("NVML cannot be loaded ({}): no GPU and NVDEC utilisation metrics", e.toString());
            }
        }
        return initialised;
    }

    /** Asks NVML again if the last answer is a second old or more; cheap otherwise. Any thread. */
    public synchronized void refresh() {
        long now = System.nanoTime();
        if (now - lastRead < INTERVAL_NANOS) {
            return;
        }
        lastRead = now;
        gpu = nvmlDeviceGetUtilizationRates(device, utilization) == NVML_SUCCESS ? utilization.gpu() / 100.0 : Double.NaN;
        nvdec = nvmlDeviceGetDecoderUtilization(device, decoder, samplingMicros) == NVML_SUCCESS ? decoder[0] / 100.0 : Double.NaN;
    }

    /** Share of the last sample period in which a kernel ran on the GPU, 0..1 (NaN: unknown). */
    public double gpuUtilization() {
        return gpu;
    }

    /** Share of the last sample period in which NVDEC was busy, 0..1 (NaN: unknown). */
    public double nvdecUtilization() {
        return nvdec;
    }

    private static int indexOfZero(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return b.length;
    }
}
