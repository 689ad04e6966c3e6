package io.vxflow.gpu.decode;

import static org.bytedeco.cuda.global.cudart.*;

import io.vxflow.gpu.cuda.Cuda;
import io.vxflow.gpu.cuda.CudaException;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.PinnedBuffer;
import io.vxflow.gpu.image.DeviceImage;
import io.vxflow.gpu.image.PixelFormat;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts software-decoded frames of one stream into device memory when NVDEC cannot take the stream.
 * Each frame costs exactly one host-to-device copy on the slot's stream (counted in the slot's
 * {@code MemoryStats}): its planes are packed into a page-locked staging buffer, which is copied as
 * one block into a device buffer of the same layout.
 *
 * <p>Owns a small pool of slots (device buffer, staging buffer, copy-done event), allocated on the
 * first frame and sized from it: the layout (format, size, FFmpeg's line sizes) of that frame. A
 * frame of another layout (a resolution change) retires the pool, once, and allocates a new one;
 * retired slots still leased are freed when released. The pool holds {@code size} slots and grows by
 * one, with a warning, only when the pipeline holds more frames than that. Thread-safe: a decode worker
 * uploads while the task thread releases frames it is done with.
 */
final class HostFrameUploader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostFrameUploader.class);
    /** Plane starts in the device buffer are aligned like CUDA allocations, for the kernels' loads. */
    private static final long PLANE_ALIGNMENT = 256;

    private final GpuContext gpu;
    private final int size;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private Layout layout;
    private int slotsInLayout;
    private boolean closed;

    /** @param size slots in the pool: the frames the pipeline may hold at once, plus one in flight */
    HostFrameUploader(GpuContext gpu, int size) {
        this.gpu = gpu;
        this.size = Math.max(2, size);
    }

    /**
     * Enqueues the upload of {@code frame} (a software frame in {@code format}) and returns the slot
     * that holds it; the caller may unref the frame as soon as this returns.
     */
    synchronized Slot upload(AVFrame frame, PixelFormat format) {
        if (closed) {
            throw new IllegalStateException("uploader is closed");
        }
        gpu.makeCurrent();
        Layout wanted = Layout.of(frame, format);
        if (!wanted.equals(layout)) {
            startLayout(wanted);
        }
        Slot slot = free.isEmpty() ? grow() : free.pollFirst();
        slot.stage(frame);
        gpu.copyToDeviceAsync(slot.device.address(), slot.staging.pointer(), layout.bytes);
        slot.markCopied();
        return slot;
    }

    /** Takes a slot back; slots of a retired layout, or released after close, are freed. */
    synchronized void release(Slot slot) {
        if (!closed && slot.layout == layout) {
            free.addLast(slot); // FIFO: the slot reused next is the one whose copy finished longest ago
        } else {
            slot.close();
        }
    }

    private void startLayout(Layout wanted) {
        if (layout != null) {
            LOG.info("software frames changed from {} to {}: reallocating the upload pool", layout, wanted);
        }
        free.forEach(Slot::close);
        free.clear();
        layout = wanted;
        slotsInLayout = 0;
        for (int i = 0; i < size; i++) {
            free.addLast(newSlot());
        }
    }

    private Slot grow() {
        if (slotsInLayout == size) {
            LOG.warn("the pipeline holds more than {} uploaded frames of one stream; growing its pool (raise extraFrames)", size);
        }
        return newSlot();
    }

    private Slot newSlot() {
        slotsInLayout++;
        return new Slot(gpu, layout);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        free.forEach(Slot::close);
        free.clear();
    }

    /** Where each plane of a frame goes in one device allocation: FFmpeg's pitches, aligned starts. */
    static final class Layout {
        final PixelFormat format;
        final int width;
        final int height;
        final int[] pitches;
        final long[] offsets;
        final long[] copyBytes;
        final long bytes;

        private Layout(PixelFormat format, int width, int height, int[] pitches) {
            this.format = format;
            this.width = width;
            this.height = height;
            this.pitches = pitches;
            this.offsets = new long[pitches.length];
            this.copyBytes = new long[pitches.length];
            long end = 0;
            for (int i = 0; i < pitches.length; i++) {
                offsets[i] = align(end);
                int rows = rows(i);
                // the last row only up to the picture's edge: a cropped frame's buffer may end there
                copyBytes[i] = (long) (rows - 1) * pitches[i] + rowBytes(i);
                end = offsets[i] + (long) rows * pitches[i];
            }
            this.bytes = end;
        }

        static Layout of(AVFrame frame, PixelFormat format) {
            int[] pitches = new int[format.planes()];
            for (int i = 0; i < pitches.length; i++) {
                pitches[i] = frame.linesize(i);
                if (pitches[i] <= 0) {
                    throw new IllegalArgumentException("plane " + i + " has line size " + pitches[i]);
                }
            }
            return new Layout(format, frame.width(), frame.height(), pitches);
        }

        int rows(int plane) {
            return plane == 0 ? height : (height + 1) / 2;
        }

        long rowBytes(int plane) {
            int samples = plane == 0 ? width : (width + 1) / 2;
            int components = plane > 0 && format.planes() == 2 ? 2 : 1; // NV12/P010 interleave U and V
            return (long) samples * components * format.bytesPerSample();
        }

        private static long align(long offset) {
            return (offset + PLANE_ALIGNMENT - 1) / PLANE_ALIGNMENT * PLANE_ALIGNMENT;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layout l && l.format == format && l.width == width && l.height == height
                    && Arrays.equals(l.pitches, pitches);
        }

        @Override
        public int hashCode() {
            return (format.hashCode() * 31 + width) * 31 + height;
        }

        @Override
        public String toString() {
            return format + " " + width + "x" + height + " pitches " + Arrays.toString(pitches);
        }
    }

    /** One frame's place on the device, its staging memory and the event that says the copy is done. */
    static final class Slot implements AutoCloseable {
        final Layout layout;
        final DeviceBuffer device;
        final PinnedBuffer staging;
        private final GpuContext gpu;
        private final CUevent_st copied = new CUevent_st();
        private boolean copyPending;
        private boolean closed;

        Slot(GpuContext gpu, Layout layout) {
            this.gpu = gpu;
            this.layout = layout;
            this.device = gpu.allocate(layout.bytes, "nvdec-fallback " + layout.format);
            this.staging = gpu.allocatePinned(layout.bytes);
            Cuda.check(cuEventCreate(copied, CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        }

        /** Packs the frame's planes into staging memory, once the previous copy out of it is done. */
        void stage(AVFrame frame) {
            if (copyPending) {
                Cuda.check(cuEventSynchronize(copied), "cuEventSynchronize");
                copyPending = false;
            }
            Pointer base = staging.pointer();
            for (int i = 0; i < layout.pitches.length; i++) {
                Pointer.memcpy(new BytePointer(base).position(layout.offsets[i]), frame.data(i), layout.copyBytes[i]);
            }
        }

        void markCopied() {
            Cuda.check(cuEventRecord(copied, gpu.stream()), "cuEventRecord");
            copyPending = true;
        }

        /** The frame as the kernels see it: planes in the device buffer, FFmpeg's pitches. */
        DeviceImage image() {
            long base = device.address();
            long[] planes = new long[layout.pitches.length];
            for (int i = 0; i < planes.length; i++) {
                planes[i] = base + layout.offsets[i];
            }
            return new DeviceImage(layout.format, layout.width, layout.height, planes, layout.pitches);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                gpu.makeCurrent();
                if (copyPending) {
                    cuEventSynchronize(copied); // the staging memory must outlive the copy out of it
                }
                cuEventDestroy(copied);
            } catch (CudaException e) {
                // the slot's context is gone (a frame released after the GpuContext closed): so is the event
                LOG.debug("upload slot released after its GPU context closed: {}", e.getMessage());
            }
            staging.close(); // both are no-ops when the GpuContext has already freed them
            device.close();
        }
    }
}
