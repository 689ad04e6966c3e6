package io.vxflow.operators.decode;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decode worker threads of a TaskManager, shared by all of its slots: the task threads hand
 * access units to them and never wait for a decoder (NVDEC's map waits for the picture, FFmpeg's
 * software decode takes milliseconds). Each stream gets a {@link Queue} that runs its work in order,
 * one task at a time, on whichever worker is free, so as many streams decode at once as there are
 * workers: NVDEC's engines stay busy while every task thread keeps feeding them.
 *
 * <p>The pool grows to the largest size any slot asked for and its idle threads end after a while, so
 * an idle TaskManager keeps none. Threads are daemons named {@code vxflow-decode-N}.
 */
final class DecodeWorkers {
    /** Tasks a queue runs before it lets other streams' queues onto the worker. */
    private static final Logger LOG = LoggerFactory.getLogger(DecodeWorkers.class);
    private static final int FAIRNESS_BATCH = 8;
    private static ThreadPoolExecutor pool;

    private DecodeWorkers() {}

    /** The shared pool, with at least {@code threads} workers. */
    static synchronized Executor shared(int threads) {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "vxflow-decode-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            pool.allowCoreThreadTimeOut(true);
        } else if (pool.getMaximumPoolSize() < threads) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads);
        }
        return pool;
    }

    /** Workers in the shared pool now; for tests and metrics. */
    static synchronized int size() {
        return pool == null ? 0 : pool.getMaximumPoolSize();
    }

    /**
     * Runs one stream's tasks in submission order, never two at once, on a shared executor. A queue
     * with much work runs {@value #FAIRNESS_BATCH} tasks, then goes to the back of the executor's
     * line, so one busy stream cannot hold a worker while others wait.
     */
    static final class Queue {
        private final Executor executor;
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean scheduled;

        Queue(Executor executor) {
            this.executor = executor;
        }

        void execute(Runnable task) {
            synchronized (this) {
                tasks.add(task);
                if (scheduled) {
                    return;
                }
                scheduled = true;
            }
            executor.execute(this::runSome);
        }

        private void runSome() {
            for (int i = 0; i < FAIRNESS_BATCH; i++) {
                Runnable next;
                synchronized (this) {
                    next = tasks.poll();
                    if (next == null) {
                        scheduled = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException | Error e) {
                    // tasks report their own failures as events; this keeps the queue alive if one slips through
                    LOG.error("a decode task failed", e);
                }
            }
            synchronized (this) {
                if (tasks.isEmpty()) {
                    scheduled = false;
                    return;
                }
            }
            executor.execute(this::runSome);
        }
    }
}
