package io.vxflow.gpu.decode;

import static org.bytedeco.cuda.global.cudart.*;
import static org.bytedeco.ffmpeg.global.avutil.*;

import io.vxflow.codec.FfmpegErrors;
import io.vxflow.codec.FfmpegLogging;
import io.vxflow.gpu.cuda.Cuda;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.GpuDevice;
import org.bytedeco.ffmpeg.avutil.AVBufferRef;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVHWDeviceContext;
import org.bytedeco.javacpp.LongPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FFmpeg's CUDA device for one slot, shared by all of the slot's {@link NvdecDecoder}s: one
 * {@code AVHWDeviceContext} on the GPU's <em>primary</em> context (the one {@link GpuContext}
 * retains, so decoded frames are addressable by the slot's kernels), whose
 * {@code AVCUDADeviceContext.stream} is the slot's stream, so NVDEC's output copy and the upload of
 * software-decoded frames are ordered with every other stage of the chain. Create it once per slot,
 * after the {@link GpuContext} and before any decoder.
 *
 * <p>Owns one reference on the FFmpeg device. Each decoder takes its own reference, and so does each
 * decoded frame through its frame pool, so {@link #close()} (idempotent) never invalidates a decoder
 * or a frame that is still alive: FFmpeg releases its hold on the primary context when the last one
 * goes. Decoders are independent NVDEC sessions; nothing here ever resets the context.
 *
 * <p>Limits: FFmpeg only shares a primary context that is scheduled with
 * {@code CU_CTX_SCHED_BLOCKING_SYNC}; opening the device sets that flag on the GPU's primary context,
 * so host waits on any of its streams (the sink's, a pool's) block on an OS primitive instead of
 * spinning. Decoders may be created from any thread (the slot's decode workers open them): each takes
 * its own reference, and FFmpeg counts references atomically.
 */
public final class NvdecDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NvdecDevice.class);
    /** AVERROR(ENOTSUP) on Linux: FFmpeg found the primary context active with other flags. */
    private static final int AVERROR_ENOTSUP = -95;
    /**
     * FFmpeg 7.1 libavutil/hwcontext_cuda.h: {@code struct AVCUDADeviceContext { CUcontext cuda_ctx;
     * CUstream stream; AVCUDADeviceContextInternal *internal; }}, three pointers. The preset does not
     * map the struct, so its fields are read and written by index as 64-bit words.
     */
    private static final int CUDA_CTX_WORD = 0;
    private static final int STREAM_WORD = 1;
    private static final int INTERNAL_WORD = 2;

    private final GpuContext gpu;
    private final AVBufferRef deviceRef;
    private volatile boolean closed;

    /**
     * Creates FFmpeg's CUDA device on {@code gpu}'s primary context and binds it to the slot's stream.
     *
     * @throws IllegalStateException naming the GPU index and FFmpeg's error when FFmpeg cannot create
     *     the device (no driver, no libcuda, a context FFmpeg will not share)
     */
    public NvdecDevice(GpuContext gpu) {
        this.gpu = gpu;
        FfmpegLogging.install();
        gpu.makeCurrent();
        useFfmpegSchedulingFlags(gpu.device());
        deviceRef = createCudaDevice(gpu.device().index());
        try {
            bindToSlot();
        } catch (RuntimeException e) {
            av_buffer_unref(deviceRef);
            throw e;
        }
    }

    /** The slot whose context and stream the decoders use. */
    public GpuContext gpu() {
        return gpu;
    }

    /**
     * FFmpeg insists that a primary context it retains is scheduled with BLOCKING_SYNC and refuses one
     * already active with other flags (hwcontext_cuda.c, cuda_context_init); the slot's context is
     * already active, so set the flag first. That needs a driver that changes the flags of an active
     * primary context (cuDevicePrimaryCtxSetFlags_v2); one that refuses makes opening fail, saying so.
     */
    private static void useFfmpegSchedulingFlags(GpuDevice device) {
        int[] flags = new int[1];
        int[] active = new int[1];
        Cuda.check(cuDevicePrimaryCtxGetState(device.handle(), flags, active), "cuDevicePrimaryCtxGetState");
        if (flags[0] == CU_CTX_SCHED_BLOCKING_SYNC) {
            return;
        }
        int rc = cuDevicePrimaryCtxSetFlags(device.handle(), CU_CTX_SCHED_BLOCKING_SYNC);
        if (rc != CUDA_SUCCESS) {
            throw new IllegalStateException("cannot prepare GPU " + device.index() + " for NVDEC: FFmpeg needs the primary context"
                    + " scheduled with CU_CTX_SCHED_BLOCKING_SYNC (it has flags " + flags[0] + ") and the driver refused to change"
                    + " it: CUDA error " + rc);
        }
        LOG.info("GPU {}: primary context scheduling set to CU_CTX_SCHED_BLOCKING_SYNC (was flags {}) for FFmpeg's CUDA device",
                device.index(), flags[0]);
    }

    static AVBufferRef createCudaDevice(int gpuIndex) {
        FfmpegLogging.install();
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "primary_ctx", "1", 0);
        AVBufferRef ref = new AVBufferRef(null);
        int ret = av_hwdevice_ctx_create(ref, AV_HWDEVICE_TYPE_CUDA, Integer.toString(gpuIndex), options, 0);
        av_dict_free(options);
        if (ret < 0 || ref.isNull()) {
            throw new IllegalStateException(creationFailure(gpuIndex, ret));
        }
        return ref;
    }

    static String creationFailure(int gpuIndex, int ret) {
        String why = ret == AVERROR_ENOTSUP
                ? "the primary context is active with scheduling flags other than CU_CTX_SCHED_BLOCKING_SYNC"
                : "is the NVIDIA driver (libcuda.so.1) installed and GPU " + gpuIndex + " visible?";
        return "cannot create FFmpeg's CUDA device on GPU " + gpuIndex + ": " + FfmpegErrors.describe(ret) + "; " + why
                + " (set VXFLOW_FFMPEG_LOG=error to see FFmpeg's own message)";
    }

    /** Checks that FFmpeg took the slot's primary context, then hands it the slot's stream. */
    private void bindToSlot() {
        LongPointer cuda = cudaDeviceContext();
        long context = cuda.get(CUDA_CTX_WORD);
        if (context != gpu.context().address()) {
            throw new IllegalStateException("FFmpeg's CUDA device on GPU " + gpu.device().index() + " uses context 0x"
                    + Long.toHexString(context) + ", not the slot's primary context 0x" + Long.toHexString(gpu.context().address()));
        }
        if (cuda.get(STREAM_WORD) != 0 || cuda.get(INTERNAL_WORD) == 0) {
            throw new IllegalStateException("AVCUDADeviceContext does not have FFmpeg 7.1's layout {cuda_ctx, stream, internal}:"
                    + " stream 0x" + Long.toHexString(cuda.get(STREAM_WORD)) + ", internal 0x" + Long.toHexString(cuda.get(INTERNAL_WORD)));
        }
        // decoders copy this field when their NVDEC session is created (nvdec.c, nvdec_decoder_create),
        // and every CUDA frame transfer reads it: it must be set before the first avcodec_open2
        cuda.put(STREAM_WORD, gpu.streamHandle());
    }

    private LongPointer cudaDeviceContext() {
        AVHWDeviceContext device = new AVHWDeviceContext(deviceRef.data());
        return new LongPointer(device.hwctx()).capacity(3);
    }

    /** The CUcontext FFmpeg decodes on, read back from its device context (for tests and logs). */
    long ffmpegContextHandle() {
        ensureOpen();
        return cudaDeviceContext().get(CUDA_CTX_WORD);
    }

    /** The CUstream FFmpeg copies on, read back from its device context (for tests and logs). */
    long ffmpegStreamHandle() {
        ensureOpen();
        return cudaDeviceContext().get(STREAM_WORD);
    }

    /** A new reference on the FFmpeg device for one decoder's {@code hw_device_ctx}. */
    AVBufferRef newReference() {
        ensureOpen();
        AVBufferRef ref = av_buffer_ref(deviceRef);
        if (ref == null || ref.isNull()) {
            throw new OutOfMemoryError("av_buffer_ref failed for FFmpeg's CUDA device");
        }
        return ref;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("NVDEC device of GPU " + gpu.device().index() + " is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        av_buffer_unref(deviceRef);
    }
}
