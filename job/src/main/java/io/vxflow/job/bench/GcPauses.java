package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A child JVM's garbage-collection pauses, from the log its {@link #flag} writes ({@code -Xlog:gc}
 * with wall-clock time), summed over a window: a latency spike in the record can then be set beside
 * the pauses of the process it happened in. Reads the file once, when asked.
 */
final class GcPauses {
    // [2026-12-02T08:55:01.123+0000][12.345s] GC(12) Pause Young (Normal) (G1 Evacuation Pause) 1024M->512M(32768M) 15.123ms
    private static final Pattern PAUSE = Pattern.compile("^\\[([^\\]]+)\\].*\\bPause\\b.*\\s([0-9]+(?:\\.[0-9]+)?)ms\\s*$");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private GcPauses() {}

    /** The JVM flag that writes the pauses to {@code log}. */
    static String flag(Path log) {
        return "-Xlog:gc:file=" + log + ":utctime";
    }

    /** Count, count over 50 ms, total and longest pause (ms) of those that began in [{@code fromMillis}, {@code toMillis}); nothing if the log is missing. */
    static void write(ObjectNode into, Path log, long fromMillis, long toMillis) throws IOException {
        if (!Files.exists(log)) {
            return;
        }
        long count = 0;
        long over50 = 0;
        double total = 0;
        double longest = 0;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            Matcher m = PAUSE.matcher(line);
            if (!m.find()) {
                continue;
            }
            long at;
            try {
                at = OffsetDateTime.parse(m.group(1), TIME).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                continue;
            }
            if (at < fromMillis || at >= toMillis) {
                continue;
            }
            double ms = Double.parseDouble(m.group(2));
            count++;
            over50 += ms > 50 ? 1 : 0;
            total += ms;
            longest = Math.max(longest, ms);
        }
        into.put("pauses", count).put("over_50ms", over50);
        RunRecord.putNumber(into, "total_ms", RunRecord.round(total, 1));
        RunRecord.putNumber(into, "longest_ms", RunRecord.round(longest, 1));
    }
}
