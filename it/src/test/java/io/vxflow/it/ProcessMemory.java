package io.vxflow.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of another JVM on this Linux host: its resident set from {@code /proc/PID/status}, and
 * the JVM's own native memory by category from {@code jcmd PID VM.native_memory summary} (the JVM
 * must run with {@code -XX:NativeMemoryTracking=summary}). Native libraries' own allocations
 * (FFmpeg, ONNX Runtime) are not in the JVM's tracking: they show in the resident set only.
 */
final class ProcessMemory {
    /** One reading; sizes in KiB, -1 where unreadable. */
    record Reading(long rssKb, long nmtCommittedKb, Map<String, Long> nmtCommittedByCategory) {}

    private static final Pattern TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern CATEGORY = Pattern.compile("-\\s+([A-Za-z][A-Za-z ]*?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private ProcessMemory() {}

    static Reading read(long pid) {
        long rss = rssKb(pid);
        long total = -1;
        Map<String, Long> byCategory = new LinkedHashMap<>();
        String nmt = jcmd(pid);
        if (nmt != null) {
            Matcher t = TOTAL.matcher(nmt);
            if (t.find()) {
                total = Long.parseLong(t.group(2));
            }
            Matcher c = CATEGORY.matcher(nmt);
            while (c.find()) {
                byCategory.put(c.group(1).trim(), Long.parseLong(c.group(3)));
            }
        }
        return new Reading(rss, total, byCategory);
    }

    static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // gone, or not Linux
        }
        return -1;
    }

    private static String jcmd(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return null;
        }
        try {
            Process p = new ProcessBuilder(List.of(jcmd.toString(), Long.toString(pid), "VM.native_memory", "summary")).redirectErrorStream(true)
                    .start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
