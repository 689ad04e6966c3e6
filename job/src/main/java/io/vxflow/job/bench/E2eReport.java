package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark's files in the output directory: {@code e2e.jsonl} (one JSON object per run,
 * appended as soon as the run ends; only a main run's own line is rewritten in place, as each of its
 * comparisons adds its ratio, so that a benchmark cut off during a comparison keeps the main run), and, rebuilt from all of it after each run, {@code e2e.md} (a table,
 * one row per run), {@code e2e-latency-vs-streams.svg} and {@code e2e-throughput-vs-streams.svg};
 * per run, {@code e2e-<invocation>-<label>-latency.svg} (p50 and p99 of each second).
 */
final class E2eReport {
    static final String JSONL = "e2e.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    E2eReport(Path dir) {
        this.dir = dir;
    }

    /** Appends the run and rewrites the table and the plots. */
    void append(ObjectNode run) throws IOException {
        Files.createDirectories(dir);
        Path jsonl = dir.resolve(JSONL);
        // after an interrupted write the file may end inside a line: start a new one
        String lead = Files.isRegularFile(jsonl) && Files.size(jsonl) > 0 && !endsWithNewline(jsonl) ? "\n" : "";
        Files.writeString(jsonl, lead + JSON.writeValueAsString(run) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        rewriteViews(run);
    }

    /**
     * Rewrites the line of the run with the same {@code invocation} and {@code label} (the last
     * one, if several) with this record, or appends it if there is none; then the table and the
     * plots. The file is replaced atomically, so a reader sees the old or the new file, never half.
     */
    void update(ObjectNode run) throws IOException {
        Path jsonl = dir.resolve(JSONL);
        List<String> lines = Files.isRegularFile(jsonl) ? new ArrayList<>(Files.readAllLines(jsonl, StandardCharsets.UTF_8)) : new ArrayList<>();
        int at = -1;
        for (int i = lines.size() - 1; i >= 0 && at < 0; i--) {
            try {
                JsonNode old = lines.get(i).isBlank() ? null : JSON.readTree(lines.get(i));
                if (old != null && old.path("invocation").equals(run.path("invocation")) && old.path("label").equals(run.path("label"))) {
                    at = i;
                }
            } catch (IOException e) {
                // a line from an interrupted write: not the one to replace
            }
        }
        if (at < 0) {
            append(run);
            return;
        }
        lines.set(at, JSON.writeValueAsString(run));
        Path tmp = Files.createTempFile(dir, JSONL, ".tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, jsonl, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        rewriteViews(run);
    }

    private void rewriteViews(ObjectNode run) throws IOException {
        if (run.has("latency_timeline")) {
            latencyOverTime(run).writeTo(dir.resolve(runPlot(run)));
        }
        List<JsonNode> runs = runs();
        Files.writeString(dir.resolve("e2e.md"), table(runs), StandardCharsets.UTF_8);
        latencyVsStreams(runs).writeTo(dir.resolve("e2e-latency-vs-streams.svg"));
        throughputVsStreams(runs).writeTo(dir.resolve("e2e-throughput-vs-streams.svg"));
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(file)) {
            java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
            ch.read(last, ch.size() - 1);
            return last.get(0) == '\n';
        }
    }

    /** Every run in {@code e2e.jsonl}, in the order written; lines that are not JSON are skipped. */
    List<JsonNode> runs() throws IOException {
        List<JsonNode> runs = new ArrayList<>();
        Path file = dir.resolve(JSONL);
        if (Files.isRegularFile(file)) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    if (!line.isBlank()) {
                        runs.add(JSON.readTree(line));
                    }
                } catch (IOException e) {
                    // a line from an interrupted write: the others still count
                }
            }
        }
        return runs;
    }

    static String runPlot(JsonNode run) {
        return "e2e-" + run.path("invocation").asText() + "-" + run.path("label").asText() + "-latency.svg";
    }

    static String table(List<JsonNode> runs) {
        StringBuilder md = new StringBuilder("# vxflow bench e2e\n\n");
        md.append("Latency: Kafka ingest to result, ms, over the steady-state window; catch-up: seconds from the first frame until every ")
                .append("second's p99 stays within the target. `nvdec` rows: frames/s of NVDEC decoding alone, in the results/s column.\n\n");
        md.append("| date | mode | model | backend/decode | streams | slots | batch (mean) | input fps | results/s | p50 | p95 | p99 | max ")
                .append("| catch-up s | job cores | GPU % | NVDEC % | GPU MiB/stream | dropped | lost | dups | ok | commit |\n");
        md.append("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: ")
                .append("| ---: | ---: | ---: | --- | --- |\n");
        for (JsonNode r : runs) {
            JsonNode l = r.path("latency_ms");
            boolean nvdec = r.path("mode").asText().equals("nvdec");
            md.append(String.join(" | ", "", r.path("date").asText().replaceFirst("T.*", ""), r.path("mode").asText(),
                    r.path("model_name").asText(r.path("model").asText()), r.path("backend").asText() + "/" + r.path("decode").asText(),
                    cell(r, "streams"), cell(r, "slots"), cell(r, "mean_batch"), cell(r, "input_fps"),
                    nvdec ? cell(r, "decode_fps") : cell(r, "results_per_s"), cell(l, "p50"), cell(l, "p95"), cell(l, "p99"), cell(l, "max"),
                    cell(r, "catch_up_s"), cell(r, "job_cpu_cores"), cell(r, "gpu_util"), cell(r, "nvdec_util"), cell(r, "gpu_mem_mib_per_stream"),
                    cell(r, "dropped"), cell(r, "lost"), cell(r, "duplicates"), r.has("ok") ? (r.path("ok").asBoolean() ? "yes" : "**no**") : "",
                    r.path("commit").asText("")).strip()).append(" |\n");
        }
        return md.toString();
    }

    private static String cell(JsonNode o, String key) {
        JsonNode v = o.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return "";
        }
        return v.isNumber() ? String.format(Locale.ROOT, v.isIntegralNumber() ? "%,.0f" : "%,.1f", v.asDouble()) : v.asText();
    }

    static SvgPlot latencyOverTime(JsonNode run) {
        JsonNode t = run.path("latency_timeline");
        SvgPlot plot = new SvgPlot(String.format(Locale.ROOT, "%s: %d streams, %s", run.path("label").asText(), run.path("streams").asInt(),
                run.path("model_name").asText(run.path("model").asText())), "seconds from the first frame", "latency, ms (per second)");
        JsonNode w = t.path("window_s");
        plot.band(w.path(0).asDouble(), w.path(1).asDouble(), "measured window");
        if (run.has("target_p99_ms")) {
            plot.rule(run.path("target_p99_ms").asDouble(), "p99 target");
        }
        return plot.line("p50", numbers(t.path("t_s")), numbers(t.path("p50"))).line("p99", numbers(t.path("t_s")), numbers(t.path("p99")));
    }

    static SvgPlot latencyVsStreams(List<JsonNode> runs) {
        SvgPlot plot = new SvgPlot("Latency against streams (steady-state window)", "streams", "latency, ms");
        series(runs, r -> r.path("latency_ms").path("p50").asDouble(Double.NaN))
                .forEach((name, points) -> plot.line(name + " p50", points.x(), points.y()));
        series(runs, r -> r.path("latency_ms").path("p99").asDouble(Double.NaN))
                .forEach((name, points) -> plot.line(name + " p99", points.x(), points.y()));
        return plot;
    }

    static SvgPlot throughputVsStreams(List<JsonNode> runs) {
        SvgPlot plot = new SvgPlot("Throughput against streams", "streams", "frames/s");
        series(runs, r -> r.path("results_per_s").asDouble(Double.NaN)).forEach((name, points) -> plot.line(name + " results/s", points.x(), points.y()));
        List<JsonNode> nvdec = runs.stream().filter(r -> r.path("mode").asText().equals("nvdec")).toList();
        if (!nvdec.isEmpty()) {
            Points p = points(nvdec, r -> r.path("decode_fps").asDouble(Double.NaN));
            plot.line("NVDEC alone, frames/s", p.x(), p.y());
        }
        List<JsonNode> measured = runs.stream().filter(r -> r.has("input_fps")).toList();
        if (!measured.isEmpty()) {
            Points p = points(measured, r -> r.path("input_fps").asDouble(Double.NaN));
            plot.line("input, frames/s", p.x(), p.y());
        }
        return plot;
    }

    private record Points(double[] x, double[] y) {}

    /** Runs grouped by mode, model, backend and decode; per stream count the latest run. */
    private static Map<String, Points> series(List<JsonNode> runs, ToDoubleFunction<JsonNode> value) {
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode r : runs) {
            if (!r.path("mode").asText().equals("nvdec") && r.has("latency_ms")) {
                String name = r.path("mode").asText() + " " + r.path("model_name").asText(r.path("model").asText()) + " "
                        + r.path("backend").asText() + "/" + r.path("decode").asText();
                groups.computeIfAbsent(name, k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, Points> out = new LinkedHashMap<>();
        groups.forEach((name, group) -> out.put(name, points(group, value)));
        return out;
    }

    private static Points points(List<JsonNode> runs, ToDoubleFunction<JsonNode> value) {
        TreeMap<Integer, Double> latest = new TreeMap<>();
        for (JsonNode r : runs) {
            latest.put(r.path("streams").asInt(), value.applyAsDouble(r));
        }
        return new Points(latest.keySet().stream().mapToDouble(Integer::doubleValue).toArray(),
                latest.values().stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double[] numbers(JsonNode array) {
        double[] v = new double[array.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = array.get(i).isNumber() ? array.get(i).asDouble() : Double.NaN;
        }
        return v;
    }
}
