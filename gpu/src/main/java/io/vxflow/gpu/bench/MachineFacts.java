package io.vxflow.gpu.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where and on what code a benchmark ran: host, CPUs, memory, GPU and driver, Java, the git commit.
 * Asks {@code /proc}, {@code nvidia-smi} and {@code git} if they are there. The one source of these
 * facts for the benchmark reports ({@link BenchReport} and the end-to-end benchmark's).
 */
public final class MachineFacts {
    /** A GPU as {@code nvidia-smi} names it: model, driver version, total memory (with its unit). */
    public record Gpu(String name, String driver, String memory) {}

    private MachineFacts() {}

    /** This machine's host name, or {@code unknown}. */
    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The CPU's model name from {@code /proc/cpuinfo}; off Linux, the architecture. */
    public static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    /** The CPUs this JVM may use. */
    public static int cpus() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** The JVM's name and version, e.g. {@code OpenJDK 64-Bit Server VM 17.0.13}. */
    public static String java() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.version");
    }

    /** Physical memory in GiB from {@code /proc/meminfo}; 0 off Linux. */
    public static double physicalMemoryGib() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return 0;
    }

    /** GPU {@code index} as {@code nvidia-smi} reports it; empty without nvidia-smi or that GPU. */
    public static Optional<Gpu> gpu(int index) {
        String smi = command(List.of("nvidia-smi", "-i", Integer.toString(index), "--query-gpu=name,driver_version,memory.total",
                "--format=csv,noheader"));
        if (smi == null) {
            return Optional.empty();
        }
        String[] f = smi.split(",");
        return f.length == 3 ? Optional.of(new Gpu(f[0].strip(), f[1].strip(), f[2].strip())) : Optional.empty();
    }

    /**
     * The commit the running code was built from: the build's stamp ({@code build.properties}, written by the
     * Maven build), {@code -dirty} if its working tree had changes. Without a stamp (classes compiled
     * elsewhere, or a build without git): {@code git rev-parse --short HEAD} of the working directory,
     * {@code -dirty} if it has changes; then {@code VXFLOW_COMMIT}; then the jar's version; else null.
     * The stamp comes first because a benchmark started from another directory (another checkout, or
     * none) must not name that directory's commit.
     */
    public static String commit() {
        return commit(stamp(), MachineFacts::workingDirectoryCommit, System.getenv("VXFLOW_COMMIT"),
                MachineFacts.class.getPackage().getImplementationVersion());
    }

    static String commit(Properties stamp, Supplier<String> workingDirectory, String named, String version) {
        String built = stamp.getProperty("commit", "");
        if (built.matches("[0-9a-f]{7,40}")) {
            return built + ("true".equals(stamp.getProperty("dirty")) ? "-dirty" : "");
        }
        String head = workingDirectory.get();
        if (head != null) {
            return head;
        }
        // a copy of the code without its git directory (the GPU machine's) names its commit in VXFLOW_COMMIT
        return named != null && !named.isBlank() ? named.strip() : version;
    }

    /** The build's stamp, empty where there is none (or it could not be read). */
    static Properties stamp() {
        Properties p = new Properties();
        try (InputStream in = MachineFacts.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no stamp: commit() falls back to the working directory
        }
        return p;
    }

    private static String workingDirectoryCommit() {
        String head = command(List.of("git", "rev-parse", "--short", "HEAD"));
        if (head == null || !head.matches("[0-9a-f]{4,40}")) {
            return null;
        }
        String changes = command(List.of("git", "status", "--porcelain", "--untracked-files=no"));
        return head + (changes != null && !changes.isEmpty() ? "-dirty" : "");
    }

    /** The first line a short command prints, or null if it is not there, fails or takes over 10 s. */
    public static String command(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? out.lines().findFirst().orElse("") : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
