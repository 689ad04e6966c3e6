package io.vxflow.operators.metrics;

import io.vxflow.gpu.backend.cuda.GpuSlotRuntime;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.NvmlReader;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.SlotRuntime;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * A GPU slot's gauges on an operator's group:
 *
 * <ul>
 *   <li>{@code gpuMemoryUsedBytes}: device memory the slot allocated through its {@link GpuContext}
 *       (frame and batch pools, tensors, the mosaic); TensorRT's and NVDEC's own memory is not in it;
 *   <li>{@code gpuDeviceMemoryUsedBytes}: the whole device's memory in use, as the driver reports it
 *       (every slot, TensorRT, NVDEC, other processes);
 *   <li>{@code gpuUtilization} and {@code nvdecUtilization}: NVML's busy ratios of the device, 0..1,
 *       only where NVML can be read ({@link NvmlReader}).
 * </ul>
 *
 * <p>The device is asked on the task thread once a second (a processing-time timer), never from the
 * reporter's thread; the gauges return the last answer. On the CPU backend nothing is registered, so
 * no series exists, rather than a NaN or a zero that would read as an idle GPU. Owns the timer.
 */
public final class SlotGpuMetrics implements AutoCloseable {
    private static final long PERIOD_MILLIS = 1_000;
    private final GpuContext ctx;
    private final NvmlReader nvml;
    private final ScheduledFuture<?> timer;
    private volatile long deviceUsed = -1;

    private SlotGpuMetrics(MetricGroup group, GpuContext ctx, ProcessingTimeService time) {
        this.ctx = ctx;
        this.nvml = NvmlReader.forDevice(ctx.device());
        group.gauge("gpuMemoryUsedBytes", (Gauge<Long>) () -> ctx.stats().deviceBytes());
        group.gauge("gpuDeviceMemoryUsedBytes", (Gauge<Long>) () -> deviceUsed);
        if (nvml != null) {
            group.gauge("gpuUtilization", (Gauge<Double>) nvml::gpuUtilization);
            group.gauge("nvdecUtilization", (Gauge<Double>) nvml::nvdecUtilization);
        }
        sample();
        timer = time.scheduleWithFixedDelay(t -> sample(), PERIOD_MILLIS, PERIOD_MILLIS);
    }

    /** The slot's GPU gauges, or null (nothing registered) when the slot runs on the CPU. */
    public static SlotGpuMetrics register(MetricGroup group, SlotRuntime runtime, ProcessingTimeService time) {
        // the backend first: a CPU slot never loads a CUDA class
        if (runtime.backend() != Backend.GPU || !(runtime instanceof GpuSlotRuntime gpu)) {
            return null;
        }
        return new SlotGpuMetrics(group, gpu.context(), time);
    }

    private void sample() {
        long[] freeTotal = ctx.memoryInfo();
        deviceUsed = freeTotal[1] - freeTotal[0];
        if (nvml != null) {
            nvml.refresh();
        }
    }

    @Override
    public void close() {
        timer.cancel(false);
    }
}
