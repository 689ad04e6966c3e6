package io.vxflow.it.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Java program run as a child process of the test, its stdout and stderr in one file. Owns the
 * process: {@link #kill()} ends it with SIGKILL (no shutdown hooks, no clean-up, as a machine
 * failure would), {@link #close()} does the same if it is still running.
 */
public final class ChildJvm implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path output;
    private volatile Duration lastCpu = Duration.ZERO;

    private ChildJvm(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /**
     * Starts {@code java <jvmArgs> -cp <classPath> <mainClass> <args>} in {@code workDir} with
     * {@code env} added to this process's environment; output goes to {@code <logDir>/<name>.out}.
     */
    public static ChildJvm start(String name, List<String> jvmArgs, String classPath, String mainClass, List<String> args,
            Map<String, String> env, Path workDir, Path logDir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path output = logDir.resolve(name + ".out");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
            pb.environment().putAll(env);
            Files.writeString(output, "$ " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            return new ChildJvm(name, pb.start(), output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The file holding the process's stdout and stderr. */
    public Path outputFile() {
        return output;
    }

    /** Everything the process has written so far. */
    public String output() {
        try {
            return Files.readString(output, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CPU time the process has used (user and system), as last seen while it was running. */
    public Duration cpuTime() {
        process.info().totalCpuDuration().ifPresent(d -> lastCpu = d);
        return lastCpu;
    }

    /**
     * CPU time by kind of thread (Linux {@code /proc/<pid>/task}; empty elsewhere or once the process
     * has ended): JIT compiler threads, garbage collector threads, the job's task threads, the rest by
     * their name without numbers. For finding where a process's CPU goes, not for assertions.
     */
    public Map<String, Duration> cpuByThreadKind() {
        Map<String, Duration> out = new java.util.TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(process.pid()), "task");
        try (var dirs = Files.list(tasks)) {
            for (Path t : dirs.toList()) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(stat.indexOf('(') + 1, close);
                    String[] f = stat.substring(close + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                    out.merge(threadKind(comm), Duration.ofMillis(ticks * 10), Duration::plus); // USER_HZ is 100 on Linux
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    private static String threadKind(String comm) {
        if (comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread") || comm.startsWith("VM Periodic")) {
            return "GC+VM";
        }
        if (comm.startsWith("Source") || comm.startsWith("decode") || comm.startsWith("Decode") || comm.contains("->") || comm.contains("(1/") || comm.contains("(2/")) {
            return "tasks";
        }
        return comm.replaceAll("[-#_ ]?\\d+", "");
    }

    /** SIGKILL (what {@link Process#destroyForcibly()} sends on Linux), then waits until the process is gone. */
    public void kill() {
        cpuTime();
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + pid() + ") survived SIGKILL for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing " + name, e);
        }
    }

    /** SIGTERM (the JVM's shutdown hooks run), then waits until it has ended; SIGKILL after {@code timeout}. */
    public void stop(Duration timeout) {
        cpuTime();
        process.destroy();
        waitFor(timeout);
    }

    /** Waits for the process to end and returns its exit code; kills it and fails after {@code timeout}. */
    public int waitFor(Duration timeout) {
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
                cpuTime(); // sampled while it runs: an ended process has no CPU time to read
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new IllegalStateException(name + " did not finish within " + timeout + "; its output is in " + output);
                }
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
