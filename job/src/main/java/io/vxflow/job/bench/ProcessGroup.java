package io.vxflow.job.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Every process a benchmark starts, and the promise that none outlives it: {@link #close()} and a
 * JVM shutdown hook (Ctrl-C, a failure) stop what is still running, SIGTERM first and SIGKILL
 * after a grace period; then it deletes the temporary directories given to it. Logs go to {@code
 * <dir>/<label>-<process>.log}.
 */
final class ProcessGroup implements AutoCloseable {
    static final Duration GRACE = Duration.ofSeconds(15);
    private final Path logDir;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> directories = new ArrayList<>();
    private final Thread hook = new Thread(this::killAll, "vxflow-bench-cleanup");

    ProcessGroup(Path logDir) throws IOException {
        this.logDir = Files.createDirectories(logDir);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts {@code vxflow <args>} in its own JVM; its output goes to {@code <label>-<process>.log}. */
    ChildProcess startVxflow(String label, String process, String heap, List<String> args) {
        List<String> command = new ArrayList<>(ChildProcess.vxflowCommand(heap, args));
        command.add(1, GcPauses.flag(gcLog(label, process)));
        return start(label, process, command);
    }

    /** Where a process started by {@link #startVxflow} logs its garbage-collection pauses. */
    Path gcLog(String label, String process) {
        return logDir.resolve(label + "-" + process + "-gc.log");
    }

    ChildProcess start(String label, String process, List<String> command) {
        Path log = logDir.resolve(label + "-" + process + ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            adopt(p);
            return new ChildProcess(label + " " + process, p, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0) + " for " + label + " " + process + ": " + e.getMessage(), e);
        }
    }

    /** Makes a process started elsewhere (a sampler reading its output) part of the group. */
    synchronized void adopt(Process p) {
        processes.removeIf(q -> !q.isAlive());
        processes.add(p);
    }

    /** Deletes {@code dir} (a broker's data) when the group closes, or at exit after its processes are gone. */
    synchronized Path deleteOnClose(Path dir) {
        directories.add(dir);
        return dir;
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }

    private void killAll() {
        List<Process> alive;
        List<Path> dirs;
        synchronized (this) {
            alive = new ArrayList<>(processes);
            dirs = new ArrayList<>(directories);
        }
        alive.removeIf(p -> !p.isAlive());
        alive.forEach(Process::destroy);
        long deadline = System.nanoTime() + GRACE.toNanos();
        for (Process p : alive) {
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                if (!p.waitFor(left, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (Path d : dirs) {
            try {
                deleteTree(d);
            } catch (IOException | UncheckedIOException e) {
                // a temporary directory left behind is not worth failing for
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
