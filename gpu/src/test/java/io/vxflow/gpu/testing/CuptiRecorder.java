package io.vxflow.gpu.testing;

import static org.bytedeco.cuda.global.cupti.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cupti.CUpti_Activity;
import org.bytedeco.cuda.cupti.CUpti_ActivityMemcpy5;
import org.bytedeco.cuda.cupti.CUpti_ActivityMemory4;
import org.bytedeco.cuda.cupti.CUpti_ActivityMemoryPool2;
import org.bytedeco.cuda.cupti.CUpti_BuffersCallbackCompleteFunc;
import org.bytedeco.cuda.cupti.CUpti_BuffersCallbackRequestFunc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The GPU's own record of memory traffic, from CUPTI's activity API: every memory copy the device
 * executes ({@code CUPTI_ACTIVITY_KIND_MEMCPY}, whoever asked for it: vxflow, FFmpeg, TensorRT or the
 * driver) and every allocation and free of device, pinned and pool memory ({@code MEMORY2}, {@code
 * MEMORY_POOL}), each with a timestamp on CUPTI's clock ({@link #now()}), so a test can bucket them by
 * what the host was doing at the time.
 *
 * <p>One recording at a time per process ({@link #start()} ... {@link #close()}). CUPTI asks for
 * buffers and hands them back full on its own threads through two JavaCPP callbacks, kept reachable
 * in static fields for as long as the process lives (CUPTI keeps calling them). Needs {@code
 * libcupti.so.12} (the CUDA 12.6 redist's, or any CUDA 12 toolkit's) on the library path.
 */
public final class CuptiRecorder implements AutoCloseable {
    /**
     * The memory kind of a module's globals: the driver allocates it once, when a module's code is
     * first loaded (lazily, at its first kernel), and frees it when the context goes.
     */
    public static final String DEVICE_STATIC = "DEVICE_STATIC";

    /** The direction of a copy; array copies count with the memory they touch on the host or device side. */
    public enum Direction { HOST_TO_DEVICE, DEVICE_TO_HOST, DEVICE_TO_DEVICE, HOST_TO_HOST, PEER, UNKNOWN }

    /** One copy the device executed: CUPTI's timestamps (ns) and the CUDA stream it ran on. */
    public record Copy(Direction direction, long bytes, long start, long end, int streamId) {}

    /**
     * One allocation or free: {@code memory} is CUPTI's memory kind ({@code DEVICE}, {@code PINNED},
     * {@code MANAGED} ...) or {@code POOL} for memory-pool operations; {@code timestamp} when the API
     * call made it.
     */
    public record Allocation(boolean free, String memory, long bytes, long timestamp) {}

    /** What was recorded, and how many records CUPTI had to drop (a recording with drops proves nothing). */
    public record Recording(List<Copy> copies, List<Allocation> allocations, long dropped, List<String> errors) {
        /**
         * The copies (by start) and allocations in each window between consecutive {@code
         * boundaries} (CUPTI timestamps, ascending): window k is {@code (boundaries[k],
         * boundaries[k + 1]]}.
         */
        public List<Window> windows(long[] boundaries) {
            List<Window> windows = new ArrayList<>();
            for (int k = 0; k + 1 < boundaries.length; k++) {
                windows.add(new Window(new ArrayList<>(), new ArrayList<>()));
            }
            for (Copy c : copies) {
                int k = window(boundaries, c.start());
                if (k >= 0) {
                    windows.get(k).copies().add(c);
                }
            }
            for (Allocation a : allocations) {
                int k = window(boundaries, a.timestamp());
                if (k >= 0) {
                    windows.get(k).allocations().add(a);
                }
            }
            return windows;
        }

        private static int window(long[] boundaries, long t) {
            int i = Arrays.binarySearch(boundaries, t); // exact hit: the window that ends there
            int k = i >= 0 ? i - 1 : -i - 2;
            return k >= 0 && k + 1 < boundaries.length ? k : -1;
        }
    }

    /** The copies and allocations of one time window. */
    public record Window(List<Copy> copies, List<Allocation> allocations) {
        public long count(Direction direction) {
            return copies.stream().filter(c -> c.direction() == direction).count();
        }

        /** One line for failure messages: copies per direction with their sizes, and allocations. */
        public String describe() {
            StringBuilder s = new StringBuilder();
            for (Direction d : Direction.values()) {
                List<Long> sizes = copies.stream().filter(c -> c.direction() == d).map(Copy::bytes).toList();
                if (!sizes.isEmpty()) {
                    s.append(d).append(' ').append(sizes.size()).append(" (bytes ").append(sizes).append(", streams ")
                            .append(copies.stream().filter(c -> c.direction() == d).map(Copy::streamId).distinct().toList()).append(") ");
                }
            }
            for (Allocation a : allocations) {
                s.append(a.free() ? "free " : "alloc ").append(a.memory()).append(' ').append(a.bytes()).append(" B ");
            }
            return s.length() == 0 ? "nothing" : s.toString().trim();
        }
    }

    private static final long BUFFER_BYTES = 8L << 20;
    private static final int[] KINDS = {CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMORY2, CUPTI_ACTIVITY_KIND_MEMORY_POOL};
    private static final ConcurrentLinkedQueue<Copy> COPIES = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<Allocation> ALLOCATIONS = new ConcurrentLinkedQueue<>();
    private static final ConcurrentLinkedQueue<String> ERRORS = new ConcurrentLinkedQueue<>();
    private static final String UNAVAILABLE = probe();
    private static CUpti_BuffersCallbackRequestFunc requested;
    private static CUpti_BuffersCallbackCompleteFunc completed;
    private static boolean recording;

    private CuptiRecorder() {}

    /** Whether CUPTI loads here (it needs the CUDA driver and libcupti). */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why {@link #available()} is false, for assumptions. */
    public static String unavailableReason() {
        return UNAVAILABLE == null ? "CUPTI is available" : UNAVAILABLE;
    }

    private static String probe() {
        try {
            long[] t = new long[1];
            int rc = cuptiGetTimestamp(t);
            return rc == CUPTI_SUCCESS ? null : "CUPTI does not work here: cuptiGetTimestamp returns " + describe(rc);
        } catch (Throwable t) {
            return "CUPTI cannot be loaded (libcupti.so.12 from the CUDA 12.6 redist jar, or a CUDA 12 toolkit, must be on"
                    + " LD_LIBRARY_PATH): " + t;
        }
    }

    /** Starts recording copies and allocations from now on; close() stops. */
    public static synchronized CuptiRecorder start() {
        if (!available()) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        if (recording) {
            throw new IllegalStateException("a CUPTI recording is already running in this process");
        }
        if (requested == null) {
            requested = new BufferRequested();
            completed = new BufferCompleted();
            check(cuptiActivityRegisterCallbacks(requested, completed), "cuptiActivityRegisterCallbacks");
        }
        COPIES.clear();
        ALLOCATIONS.clear();
        ERRORS.clear();
        for (int kind : KINDS) {
            check(cuptiActivityEnable(kind), "cuptiActivityEnable(" + kind + ")");
        }
        recording = true;
        return new CuptiRecorder();
    }

    /** CUPTI's clock, which the records' timestamps are on (ns). */
    public long now() {
        long[] t = new long[1];
        check(cuptiGetTimestamp(t), "cuptiGetTimestamp");
        return t[0];
    }

    /**
     * Everything recorded so far. Synchronize the streams whose copies should be in it first: CUPTI
     * delivers a record once its copy has finished.
     */
    public Recording recording() {
        check(cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED), "cuptiActivityFlushAll");
        long dropped;
        try (SizeTPointer n = new SizeTPointer(1)) {
            check(cuptiActivityGetNumDroppedRecords((CUctx_st) null, 0, n), "cuptiActivityGetNumDroppedRecords");
            dropped = n.get();
        }
        return new Recording(List.copyOf(COPIES), List.copyOf(ALLOCATIONS), dropped, List.copyOf(ERRORS));
    }

    @Override
    public void close() {
        synchronized (CuptiRecorder.class) {
            if (!recording) {
                return;
            }
            recording = false;
            for (int kind : KINDS) {
                cuptiActivityDisable(kind);
            }
            cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
        }
    }

    private static void check(int rc, String what) {
        if (rc != CUPTI_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + describe(rc));
        }
    }

    private static String describe(int rc) {
        try (PointerPointer<BytePointer> text = new PointerPointer<>(1L)) {
            if (cuptiGetResultString(rc, text) == CUPTI_SUCCESS && text.get(0) != null && !text.get(0).isNull()) {
                return rc + " (" + new BytePointer(text.get(0)).getString() + ")";
            }
        } catch (Throwable t) {
            // the code alone then
        }
        return Integer.toString(rc);
    }

    /** CUPTI wants an empty buffer: 8 MiB of native memory (malloc aligns it for CUPTI's records), freed on completion. */
    private static final class BufferRequested extends CUpti_BuffersCallbackRequestFunc {
        @Override
        public void call(PointerPointer buffer, SizeTPointer size, SizeTPointer maxNumRecords) {
            Pointer memory = Pointer.malloc(BUFFER_BYTES);
            buffer.put(0, memory);
            size.put(0, memory == null || memory.isNull() ? 0 : BUFFER_BYTES);
            maxNumRecords.put(0, 0);
        }
    }

    /** CUPTI hands a buffer back: every record is read into the queues, then the buffer is freed. */
    private static final class BufferCompleted extends CUpti_BuffersCallbackCompleteFunc {
        @Override
        public void call(CUctx_st context, int streamId, BytePointer buffer, long size, long validSize) {
            try (PointerPointer<Pointer> record = new PointerPointer<>(1L)) {
                record.put(0, (Pointer) null); // NULL asks for the first record
                while (cuptiActivityGetNextRecord(buffer, validSize, record) == CUPTI_SUCCESS) {
                    read(record.get(0));
                }
            } catch (Throwable t) {
                ERRORS.add("reading a CUPTI buffer failed: " + t); // never throw into CUPTI's thread
            } finally {
                if (buffer != null && !buffer.isNull()) {
                    Pointer.free(buffer);
                }
            }
        }

        private static void read(Pointer at) {
            int kind = new CUpti_Activity(at).kind();
            if (kind == CUPTI_ACTIVITY_KIND_MEMCPY) {
                CUpti_ActivityMemcpy5 m = new CUpti_ActivityMemcpy5(at);
                if (m.start() == 0) {
                    ERRORS.add("a copy of " + m.bytes() + " bytes without timestamps: it cannot be placed in a window");
                }
                COPIES.add(new Copy(direction(m.copyKind() & 0xFF), m.bytes(), m.start(), m.end(), m.streamId()));
            } else if (kind == CUPTI_ACTIVITY_KIND_MEMORY2) {
                CUpti_ActivityMemory4 m = new CUpti_ActivityMemory4(at);
                boolean free = m.memoryOperationType() == CUPTI_ACTIVITY_MEMORY_OPERATION_TYPE_RELEASE;
                if (m.timestamp() == 0) {
                    ERRORS.add("an allocation or free of " + m.bytes() + " bytes without a timestamp");
                }
                ALLOCATIONS.add(new Allocation(free, memoryKind(m.memoryKind()), m.bytes(), m.timestamp()));
            } else if (kind == CUPTI_ACTIVITY_KIND_MEMORY_POOL) {
                CUpti_ActivityMemoryPool2 m = new CUpti_ActivityMemoryPool2(at);
                ALLOCATIONS.add(new Allocation(false, "POOL operation " + m.memoryPoolOperationType(), m.size(), m.timestamp()));
            }
        }

        private static Direction direction(int copyKind) {
            if (copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_HTOD || copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_HTOA) {
                return Direction.HOST_TO_DEVICE;
            }
            if (copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOH || copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_ATOH) {
                return Direction.DEVICE_TO_HOST;
            }
            if (copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOD || copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOA
                    || copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_ATOD || copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_ATOA) {
                return Direction.DEVICE_TO_DEVICE;
            }
            if (copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_HTOH) {
                return Direction.HOST_TO_HOST;
            }
            return copyKind == CUPTI_ACTIVITY_MEMCPY_KIND_PTOP ? Direction.PEER : Direction.UNKNOWN;
        }

        private static String memoryKind(int kind) {
            if (kind == CUPTI_ACTIVITY_MEMORY_KIND_DEVICE) {
                return "DEVICE";
            }
            if (kind == CUPTI_ACTIVITY_MEMORY_KIND_PINNED) {
                return "PINNED";
            }
            if (kind == CUPTI_ACTIVITY_MEMORY_KIND_MANAGED) {
                return "MANAGED";
            }
            if (kind == CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE) {
                return "PAGEABLE";
            }
            if (kind == CUPTI_ACTIVITY_MEMORY_KIND_ARRAY) {
                return "ARRAY";
            }
            if (kind == CUPTI_ACTIVITY_MEMORY_KIND_DEVICE_STATIC) {
                return DEVICE_STATIC;
            }
            return "kind " + kind;
        }
    }
}
