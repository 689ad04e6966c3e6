package io.vxflow.job.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One process the benchmark started: a {@code vxflow} command in a JVM of its own (as in
 * production: the broker, the producer and the job never share a JVM with each other or with the
 * benchmark), its output in a log file, its CPU time, and how it is stopped: SIGTERM, then a kill
 * after a grace period. Created through {@link ProcessGroup}, which kills whatever is left.
 */
final class ChildProcess {
    /** The JVM flags of the test suites (root pom): Flink and Kafka need these modules open. */
    static final List<String> JVM_FLAGS = List.of("--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "-XX:+ExitOnOutOfMemoryError");
    private static final String MAIN = "io.vxflow.job.cli.Vxflow";

    private final String name;
    private final Process process;
    private final Path log;

    ChildProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * {@code java <flags> -Xmx<heap> -cp <this JVM's class path> io.vxflow.job.cli.Vxflow <args>}: the
     * same java, class path and system properties as this JVM, so a child finds what we found.
     */
    static List<String> vxflowCommand(String heap, List<String> args) {
        Set<String> flags = new LinkedHashSet<>(JVM_FLAGS);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-D") || a.startsWith("--add-opens") || a.startsWith("--add-exports")) {
                flags.add(a); // e.g. -Dvxflow.cache.dir, -Djava.library.path
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.add("-Xmx" + heap);
        cmd.addAll(flags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(MAIN);
        cmd.addAll(args);
        return cmd;
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** CPU time (user and system, all threads) so far; zero once the process is gone. */
    Duration cpuTime() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Throws a {@link ChildFailedException} naming the log if the process has exited. */
    void requireAlive() {
        if (!process.isAlive()) {
            throw failed("exited with code " + process.exitValue());
        }
    }

    /** Waits for the process to end by itself; kills it after {@code timeout}. */
    int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(Duration.ofSeconds(5));
            throw failed("did not finish within " + timeout.toSeconds() + " s");
        }
        return process.exitValue();
    }

    /**
     * SIGTERM, then, if it is still there after {@code grace}, SIGKILL; waits until it is gone.
     *
     * @return its exit code (143 after SIGTERM, 137 after a kill)
     */
    int stop(Duration grace) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        }
        return process.waitFor();
    }

    /** One line: what failed, the last line it wrote, where the rest is. */
    ChildFailedException failed(String what) {
        String last = lastLine();
        return new ChildFailedException(name + " " + what + (last.isEmpty() ? "" : ": " + last) + " (log: " + log + ")");
    }

    /** The last non-blank line of the log that is not a stack frame. */
    String lastLine() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String l = lines.get(i).strip();
                if (!l.isEmpty() && !l.startsWith("at ") && !l.startsWith("...") && !l.startsWith("(set VXFLOW_DEBUG")) {
                    return l.length() > 300 ? l.substring(0, 300) + "..." : l;
                }
            }
            return "";
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** The log's text (for readiness lines), empty if it cannot be read yet. */
    String logText() {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
