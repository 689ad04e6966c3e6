package io.vxflow.gpu.trt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT's logger, forwarding to slf4j: internal errors and errors at ERROR, warnings at WARN,
 * info at DEBUG, verbose at TRACE. It also keeps the last few errors and warnings, numbered, so a
 * failed call can say what TensorRT reported during it ({@link #mark()}, {@link #errorsSince},
 * {@link #ranOutOfMemorySince}).
 *
 * <p>One instance per process ({@link #INSTANCE}), never deallocated: builders, runtimes and
 * parsers keep a raw pointer to it. Called from TensorRT's threads through JavaCPP's virtual
 * callback; it never throws back into native code.
 */
final class TrtLogger extends ILogger {
    private static final Logger LOG = LoggerFactory.getLogger("io.vxflow.gpu.trt.TensorRT");
    private static final int KEPT = 32;
    private static final List<String> OUT_OF_MEMORY = List.of("out of memory", "outofmemory", "could not be allocated",
            "not enough free memory", "insufficient memory", "failed_allocation", "cudaerrormemoryallocation");

    /** The process's logger; TensorRT holds it for as long as any of its objects live. */
    static final TrtLogger INSTANCE = new TrtLogger();

    private record Message(long number, boolean error, String text) {}

    private final Deque<Message> recent = new ArrayDeque<>();
    private long count;

    private TrtLogger() {
        super();
    }

    @Override
    public void log(Severity severity, String message) {
        try {
            // JavaCPP may hand over a fresh enum object: compare values, not identities
            int level = severity == null ? Severity.kERROR.value : severity.value;
            String text = message == null ? "" : message.strip();
            if (level <= Severity.kERROR.value) {
                LOG.error("{}", text);
                remember(true, text);
            } else if (level == Severity.kWARNING.value) {
                LOG.warn("{}", text);
                remember(false, text);
            } else if (level == Severity.kINFO.value) {
                LOG.debug("{}", text);
            } else {
                LOG.trace("{}", text);
            }
        } catch (Throwable t) {
            // never let an exception unwind into TensorRT (its log() is noexcept)
        }
    }

    private synchronized void remember(boolean error, String text) {
        recent.addLast(new Message(++count, error, text));
        if (recent.size() > KEPT) {
            recent.removeFirst();
        }
    }

    /** A mark to pass to {@link #errorsSince} after a call, to see what it logged. */
    synchronized long mark() {
        return count;
    }

    /** The errors logged after {@code mark} (of the last 32 messages kept), oldest first. */
    synchronized List<String> errorsSince(long mark) {
        List<String> e = new ArrayList<>();
        for (Message m : recent) {
            if (m.number() > mark && m.error()) {
                e.add(m.text());
            }
        }
        return e;
    }

    /** The errors since {@code mark} on one line, or {@code fallback} when there were none. */
    String errorLine(long mark, String fallback) {
        List<String> e = errorsSince(mark);
        return e.isEmpty() ? fallback : String.join(" | ", e).replace('\n', ' ');
    }

    /**
     * Whether what TensorRT logged since {@code mark} says that memory ran out: an error says so,
     * or there was no error and a warning says so (TensorRT warns that an allocation failed, then
     * gives up without an error of its own).
     */
    synchronized boolean ranOutOfMemorySince(long mark) {
        boolean errors = false;
        boolean warnedOutOfMemory = false;
        for (Message m : recent) {
            if (m.number() > mark) {
                boolean oom = mentionsOutOfMemory(m.text());
                if (m.error() && oom) {
                    return true;
                }
                errors |= m.error();
                warnedOutOfMemory |= !m.error() && oom;
            }
        }
        return !errors && warnedOutOfMemory;
    }

    static boolean mentionsOutOfMemory(String message) {
        String s = message.toLowerCase(Locale.ROOT);
        return OUT_OF_MEMORY.stream().anyMatch(s::contains);
    }
}
