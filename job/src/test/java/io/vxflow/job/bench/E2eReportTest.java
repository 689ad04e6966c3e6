package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs accumulate in e2e.jsonl; the table and the plots are rebuilt from all of them. */
class E2eReportTest {
    private final ObjectMapper json = new ObjectMapper();

    private ObjectNode run(String invocation, String mode, int streams, double resultsPerSecond, long p99) {
        ObjectNode r = json.createObjectNode();
        r.put("date", "2026-12-01T10:00:00Z").put("invocation", invocation).put("label", mode + "-" + streams).put("mode", mode)
                .put("model", "squares").put("model_name", "squares-640").put("backend", "gpu").put("decode", "nvdec").put("streams", streams)
                .put("slots", 16).put("input_fps", streams * 30.0).put("results_per_s", resultsPerSecond).put("target_p99_ms", 100)
                .put("catch_up_s", 3.5).put("mean_batch", 5.25).put("lost", 0).put("duplicates", 0).put("ok", p99 <= 100).put("commit", "abc1234");
        r.putObject("latency_ms").put("p50", p99 / 2).put("p95", p99 - 5).put("p99", p99).put("max", p99 + 10);
        ObjectNode t = r.putObject("latency_timeline");
        t.putArray("t_s").add(0).add(1).add(2);
        t.putArray("p50").addNull().add(40).add(41);
        t.putArray("p99").addNull().add(90).add(95);
        t.putArray("window_s").add(1).add(3);
        return r;
    }

    @Test
    void appendsRunsAndRebuildsTableAndPlots(@TempDir Path dir) throws Exception {
        E2eReport report = new E2eReport(dir);
        report.append(run("20261201-100000", "e2e", 64, 1918.5, 80));
        report.append(run("20261201-100000", "conventional", 64, 1400, 4000));
        ObjectNode nvdec = json.createObjectNode().put("invocation", "20261201-100000").put("label", "nvdec-64").put("mode", "nvdec")
                .put("backend", "gpu").put("decode", "nvdec").put("streams", 64).put("decode_fps", 4318.2);
        report.append(nvdec);
        report.append(run("20261201-110000", "e2e", 128, 3830, 95));

        assertThat(Files.readAllLines(dir.resolve("e2e.jsonl"))).hasSize(4);
        assertThat(report.runs()).extracting(r -> r.path("label").asText()).containsExactly("e2e-64", "conventional-64", "nvdec-64", "e2e-128");

        List<String> md = Files.readAllLines(dir.resolve("e2e.md"), StandardCharsets.UTF_8);
        List<String> rows = md.stream().filter(l -> l.startsWith("| 20") || l.startsWith("|  |")).toList();
        assertThat(rows).hasSize(4);
        assertThat(rows.get(0)).contains("| e2e | squares-640 | gpu/nvdec | 64 | 16 | 5.3 | 1,920.0 | 1,918.5 | 40 | 75 | 80 | 90 | 3.5 |")
                .endsWith("| yes | abc1234 |");
        assertThat(rows.get(1)).contains("**no**");
        assertThat(rows.get(2)).as("NVDEC alone: its decode rate in the results/s column").contains("| nvdec |").contains("| 4,318.2 |");

        for (String svg : List.of("e2e-latency-vs-streams.svg", "e2e-throughput-vs-streams.svg", "e2e-20261201-100000-e2e-64-latency.svg",
                "e2e-20261201-110000-e2e-128-latency.svg")) {
            assertThat(dir.resolve(svg)).exists();
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve(svg).toFile()); // well-formed
        }
        String throughput = Files.readString(dir.resolve("e2e-throughput-vs-streams.svg"));
        assertThat(throughput).contains("e2e squares-640 gpu/nvdec results/s").contains("NVDEC alone, frames/s").contains("input, frames/s");
        assertThat(Files.readString(dir.resolve("e2e-latency-vs-streams.svg"))).contains("conventional squares-640 gpu/nvdec p99");
    }

    @Test
    void aBrokenLineDoesNotLoseTheOthers(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("e2e.jsonl"), "{\"label\":\"old\"}\n{\"label\":\"trunc");
        E2eReport report = new E2eReport(dir);
        report.append(run("20261201-100000", "e2e", 2, 60, 50));
        assertThat(report.runs()).extracting(r -> r.path("label").asText()).containsExactly("old", "e2e-2");
    }

    @Test
    void aMainRunIsRewrittenInPlaceAsItsComparisonsEnd(@TempDir Path dir) throws Exception {
        E2eReport report = new E2eReport(dir);
        report.append(run("20261201-090000", "e2e", 140, 4200, 70)); // an earlier invocation's run of the same label: untouched
        ObjectNode main = run("20261201-100000", "e2e", 140, 4200, 72);
        main.putObject("compare").putObject("conventional").put("pending", "not ended yet");
        report.append(main);
        report.append(run("20261201-100000", "conventional", 140, 2300, 40000));
        main.putObject("compare").putObject("conventional").put("label", "conventional-140");
        main.putObject("ratios").putObject("conventional").put("results_per_s", 1.826);
        report.update(main);

        assertThat(Files.readAllLines(dir.resolve("e2e.jsonl"))).hasSize(3);
        List<com.fasterxml.jackson.databind.JsonNode> runs = report.runs();
        assertThat(runs).extracting(r -> r.path("invocation").asText() + " " + r.path("label").asText())
                .containsExactly("20261201-090000 e2e-140", "20261201-100000 e2e-140", "20261201-100000 conventional-140");
        assertThat(runs.get(0).has("ratios")).isFalse();
        assertThat(runs.get(1).path("compare").path("conventional").has("pending")).isFalse();
        assertThat(runs.get(1).path("ratios").path("conventional").path("results_per_s").asDouble()).isEqualTo(1.826);
        assertThat(Files.readAllLines(dir.resolve("e2e.md")).stream().filter(l -> l.startsWith("| 20")).count()).isEqualTo(3);

        ObjectNode other = run("20261201-110000", "e2e", 8, 240, 50);
        report.update(other); // none to replace: appended
        assertThat(report.runs()).hasSize(4);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
