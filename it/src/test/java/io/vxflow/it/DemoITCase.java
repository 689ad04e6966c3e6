package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import io.vxflow.job.cli.Vxflow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, as {@code vxflow demo --streams 2 --seconds 10 --backend cpu --out
 * FILE}: exactly 600 results with the documented fields and the known boxes.
 */
class DemoITCase {

    @Test
    void demoWritesExactly600ResultsWithTheKnownBoxes(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("r.jsonl");
        int code = Vxflow.commandLine().execute("demo", "--streams", "2", "--seconds", "10", "--backend", "cpu", "--out", out.toString());
        assertThat(code).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(600);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0));
        for (String field : List.of("stream", "pts", "frame", "width", "height", "model", "detections", "latency_ms", "timing")) {
            assertThat(first.has(field)).as("field %s in %s", field, lines.get(0)).isTrue();
        }
        assertThat(first.path("timing").path("stages_us").has("decode")).isTrue();
        JsonNode det = first.path("detections").get(0);
        assertThat(det.has("class")).isTrue();
        assertThat(det.has("score")).isTrue();
        assertThat(det.path("box").size()).isEqualTo(4);

        Map<String, Set<Long>> frames = new HashMap<>();
        for (String line : lines) {
            FrameResult r = ResultJson.decode(line.getBytes(StandardCharsets.UTF_8));
            assertThat(frames.computeIfAbsent(r.stream(), s -> new HashSet<>()).add(r.frame())).as("duplicate %s", line).isTrue();
            assertThat(KnownBoxes.matches(r, r.frame())).as("boxes of %s frame %d: %s", r.stream(), r.frame(), r.detections()).isTrue();
        }
        assertThat(frames.keySet()).containsExactlyInAnyOrder("cam-0", "cam-1");
        assertThat(frames.values()).allSatisfy(f -> assertThat(f).hasSize(300));
    }
}
