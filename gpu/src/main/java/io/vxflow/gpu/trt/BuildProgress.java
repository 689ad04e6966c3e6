package io.vxflow.gpu.trt;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs "still building" every {@link #INTERVAL_SECONDS} seconds while a TensorRT build runs, so a
 * job that spends a minute in start-up says why. JavaCPP 1.5.11 maps TensorRT's
 * {@code IProgressMonitor} without a virtual constructor, so it cannot be implemented in Java;
 * a timer is the fallback. Owns one daemon thread, stopped by {@link #close()}.
 */
final class BuildProgress implements AutoCloseable {
    static final long INTERVAL_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(BuildProgress.class);

    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    BuildProgress(String what) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vxflow-trt-build-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> LOG.info("still building {} ({} s)", what, elapsedMillis() / 1000),
                INTERVAL_SECONDS, INTERVAL_SECONDS, TimeUnit.SECONDS);
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
