package io.vxflow.connectors.producer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@link StreamReplayer} has published, per stream, as a small JSON file that another
 * process can read while the replay runs ({@code vxflow produce --report FILE}): a benchmark learns
 * how many frames went out in its window and, after the producer stopped, exactly how many each
 * stream published.
 *
 * <pre>{@code
 * {"time_ms":1763700001000,"start_ms":1763700000000,"state":"running","units":30,"records":60,"bytes":1200000,
 *  "streams":{"cam-0":30,"cam-1":30}}
 * }</pre>
 *
 * The file is replaced atomically, so a reader never sees half of it. Owns nothing.
 *
 * @param timeMillis wall-clock time the counts were taken at
 * @param startMillis wall-clock time the replay started
 * @param state {@link ReplayProgress.State} in lower case: {@code running} until the replay ended
 * @param records records published, all streams together
 * @param perStream records published per stream id, in the order the streams take turns
 */
public record ReplayReport(long timeMillis, long startMillis, String state, long units, long records, long bytes,
        Map<String, Long> perStream) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public ReplayReport {
        perStream = Collections.unmodifiableMap(new LinkedHashMap<>(perStream));
    }

    /** The replayer's counters now. */
    public static ReplayReport of(StreamReplayer replayer) {
        ReplayProgress p = replayer.progress();
        long now = System.currentTimeMillis();
        List<String> ids = replayer.streamIds();
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            counts.put(ids.get(i), p.recordsOfStream(i, ids.size()));
        }
        return new ReplayReport(now, now - p.elapsed().toMillis(), p.state().name().toLowerCase(Locale.ROOT), p.unitsRead(),
                p.recordsPublished(), p.bytesPublished(), counts);
    }

    /** Whether the replay has ended (the counts are final). */
    public boolean ended() {
        return !state.equals("running") && !state.equals("not_started");
    }

    /** Replaces {@code file} with this report, atomically. */
    public void writeTo(Path file) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("time_ms", timeMillis).put("start_ms", startMillis).put("state", state).put("units", units).put("records", records)
                .put("bytes", bytes);
        ObjectNode streams = n.putObject("streams");
        perStream.forEach(streams::put);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            JSON.writeValue(tmp.toFile(), n);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a report written by {@link #writeTo}. */
    public static ReplayReport read(Path file) throws IOException {
        JsonNode n = JSON.readTree(file.toFile());
        Map<String, Long> streams = new LinkedHashMap<>();
        n.path("streams").fields().forEachRemaining(e -> streams.put(e.getKey(), e.getValue().asLong()));
        return new ReplayReport(n.path("time_ms").asLong(), n.path("start_ms").asLong(), n.path("state").asText(), n.path("units").asLong(),
                n.path("records").asLong(), n.path("bytes").asLong(), streams);
    }
}
