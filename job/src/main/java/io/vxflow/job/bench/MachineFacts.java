package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Where and on what code a benchmark ran: host, CPUs, GPU and driver, Java, the git commit. Asks {@code nvidia-smi} and {@code git} if they are there. */
final class MachineFacts {
    private MachineFacts() {}

    static ObjectNode collect(ObjectMapper json, int gpu) {
        ObjectNode m = json.createObjectNode();
        m.put("host", hostName()).put("cpus", Runtime.getRuntime().availableProcessors()).put("cpu_model", cpuModel());
        m.put("memory_gib", Math.round(physicalMemoryGib()));
        String smi = command(List.of("nvidia-smi", "-i", Integer.toString(gpu), "--query-gpu=name,driver_version,memory.total",
                "--format=csv,noheader"));
        if (smi != null && smi.split(",").length == 3) {
            String[] f = smi.split(",");
            m.put("gpu", f[0].strip()).put("gpu_driver", f[1].strip()).put("gpu_memory", f[2].strip());
        } else {
            m.putNull("gpu");
        }
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        return m;
    }

    /** {@code git rev-parse --short HEAD} of the working directory, {@code -dirty} if it has changes; else the jar's version; else null. */
    static String commit() {
        String head = command(List.of("git", "rev-parse", "--short", "HEAD"));
        if (head != null && head.matches("[0-9a-f]{4,40}")) {
            String changes = command(List.of("git", "status", "--porcelain", "--untracked-files=no"));
            return head + (changes != null && !changes.isEmpty() ? "-dirty" : "");
        }
        // a copy of the code without its git directory (the GPU machine's) names its commit in VXFLOW_COMMIT
        String named = System.getenv("VXFLOW_COMMIT");
        return named != null && !named.isBlank() ? named.strip() : MachineFacts.class.getPackage().getImplementationVersion();
    }

    /** The first line a short command prints, or null if it is not there, fails or takes over 10 s. */
    static String command(List<String> cmd) {
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

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
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

    private static double physicalMemoryGib() {
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
}
