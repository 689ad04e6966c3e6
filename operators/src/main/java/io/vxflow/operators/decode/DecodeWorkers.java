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
 * an idle TaskManager keeps none. Threads are daemons named {@code vxflow-decode-N}. A stream whose
 * decoder is not open yet runs on the {@link #openers()} instead ({@code vxflow-open-N}).
 */
final class DecodeWorkers {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeWorkers.class);
    /** Tasks a queue runs before it lets other streams' queues onto the worker. */
    private static final int FAIRNESS_BATCH = 8;
    /**
     * Threads that open decoders. NVDEC sets decoders up mostly one at a time (measured on the H200:
     * 52 ms an open alone, 19 a second; 16 threads opening at once managed about 25 a second, each open
     * taking a median of 628 ms), so more threads would mostly wait in the driver.
     */
    static final int OPENER_THREADS = 8;
    private static ThreadPoolExecutor pool;
    private static ThreadPoolExecutor openers;

    private DecodeWorkers() {}

    /** The shared pool, with at least {@code threads} workers. */
    static synchronized Executor shared(int threads) {
        if (pool == null) {
            pool = newPool(threads, "vxflow-decode-");
        } else if (pool.getMaximumPoolSize() < threads) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads);
        }
        return pool;
    }

    /**
     * The TaskManager's opener threads ({@value #OPENER_THREADS}), where a stream's work runs until its
     * decoder is open: a stream waiting for NVDEC to set its decoder up (which takes seconds when a hundred
     * streams start at once) then holds none of the workers that the open streams decode on.
     */
    static synchronized Executor openers() {
        if (openers == null) {
            openers = newPool(OPENER_THREADS, "vxflow-open-");
        }
        return openers;
    }

    private static ThreadPoolExecutor newPool(int threads, String prefix) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        p.allowCoreThreadTimeOut(true);
        return p;
    }

    /** Workers in the shared pool now; for tests and metrics. */
    static synchronized int size() {
        return pool == null ? 0 : pool.getMaximumPoolSize();
    }

    /**
     * Runs one stream's tasks in submission order, never two at once, on a shared executor. A queue
     * with much work runs {@value #FAIRNESS_BATCH} tasks, then goes to the back of the executor's
     * line, so one busy stream cannot hold a worker while others wait. The executor can change
     * ({@link #runOn}): the tasks after the one running go to the new one, still in order.
     */
    static final class Queue {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private volatile Executor executor;
        private boolean scheduled;

        Queue(Executor executor) {
            this.executor = executor;
        }

        /** Where the queue's next tasks run: from any thread, a task of its own included. */
        void runOn(Executor next) {
            executor = next;
        }

        Executor runsOn() {
            return executor;
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
            Executor on = executor;
            for (int i = 0; i < FAIRNESS_BATCH && executor == on; i++) {
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
