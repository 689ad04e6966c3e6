package io.vxflow.connectors.results;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultJsonTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static Map<String, Long> stages() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("decode", 2100L);
        s.put("resize", 1900L);
        s.put("batch_wait", 0L);
        return s;
    }

    private static FrameResult detector(List<byte[]> crops) {
        return new FrameResult("cam-1", 1_233_333, 37, 1920, 1080, "squares-640", "cpu", "cpu",
                List.of(new FrameResult.DetectionJson(0, "red", 0.9998f, 795.2f, 80.1f, 955.0f, 240.3f),
                        new FrameResult.DetectionJson(2, "blue", 0.5f, 0f, 0f, 12.5f, 1080f)),
                List.of(), crops, new FrameResult.Timing(1_763_700_000_123L, 1_763_700_000_164L, 8, stages()));
    }

    private static FrameResult classifier() {
        return new FrameResult("cam-2", 0, 0, 224, 224, "resnet18", "gpu", "nvdec", List.of(),
                List.of(new FrameResult.ClassJson(281, "tabby", 0.91f), new FrameResult.ClassJson(285, "Egyptian cat", 0.0625f)),
                List.of(), new FrameResult.Timing(10, 15, 8, Map.of()));
    }

    @Test
    void encodesTheDocumentedObjectExactly() {
        // values rounded: score to 4 places (0.99984 -> 0.9998), box to 1 place (795.24 -> 795.2, 80.06 -> 80.1,
        // 240.31 -> 240.3); latency_ms = 1763700000164 - 1763700000123 = 41
        FrameResult r = new FrameResult("cam-1", 1_233_333, 37, 1920, 1080, "squares-640", "cpu", "cpu",
                List.of(new FrameResult.DetectionJson(0, "red", 0.99984f, 795.24f, 80.06f, 955.0f, 240.31f)), List.of(), List.of(),
                new FrameResult.Timing(1_763_700_000_123L, 1_763_700_000_164L, 8, stages()));
        assertThat(new String(ResultJson.encode(r), UTF_8)).isEqualTo(
                "{\"stream\":\"cam-1\",\"pts\":1233333,\"frame\":37,\"width\":1920,\"height\":1080,"
                        + "\"model\":\"squares-640\",\"backend\":\"cpu\",\"decoder\":\"cpu\","
                        + "\"detections\":[{\"class\":0,\"label\":\"red\",\"score\":0.9998,\"box\":[795.2,80.1,955.0,240.3]}],"
                        + "\"latency_ms\":41,"
                        + "\"timing\":{\"ingest_ms\":1763700000123,\"emit_ms\":1763700000164,\"batch\":8,"
                        + "\"stages_us\":{\"decode\":2100,\"resize\":1900,\"batch_wait\":0}}}");
    }

    @Test
    void fieldNamesFollowTheJavadoc() throws IOException {
        JsonNode det = MAPPER.readTree(ResultJson.encode(detector(List.of())));
        assertThat(names(det)).containsExactly("stream", "pts", "frame", "width", "height", "model", "backend", "decoder",
                "detections", "latency_ms", "timing");
        assertThat(names(det.get("detections").get(0))).containsExactly("class", "label", "score", "box");
        assertThat(det.get("detections").get(0).get("box")).hasSize(4);
        assertThat(names(det.get("timing"))).containsExactly("ingest_ms", "emit_ms", "batch", "stages_us");
        assertThat(names(det.get("timing").get("stages_us"))).containsExactly("decode", "resize", "batch_wait");

        JsonNode cls = MAPPER.readTree(ResultJson.encode(classifier()));
        assertThat(names(cls)).containsExactly("stream", "pts", "frame", "width", "height", "model", "backend", "decoder",
                "detections", "classes", "latency_ms", "timing");
        assertThat(cls.get("detections")).isEmpty();
        assertThat(names(cls.get("classes").get(0))).containsExactly("class", "label", "score");
        assertThat(cls.get("classes").get(0).get("class").asInt()).isEqualTo(281);
        assertThat(cls.get("classes").get(1).get("label").asText()).isEqualTo("Egyptian cat");
        assertThat(cls.get("latency_ms").asLong()).isEqualTo(5);
        assertThat(cls.get("timing").get("stages_us")).isEmpty();
    }

    @Test
    void cropsAreBase64PngsOnTheirDetections() throws IOException {
        // bytes 01 02 03 -> 000000 010000 001000 000011 -> "AQID"; FF -> "/w=="
        FrameResult r = detector(List.of(new byte[] {1, 2, 3}, new byte[] {(byte) 0xFF}));
        JsonNode n = MAPPER.readTree(ResultJson.encode(r));
        assertThat(n.get("detections").get(0).get("crop").asText()).isEqualTo("AQID");
        assertThat(n.get("detections").get(1).get("crop").asText()).isEqualTo("/w==");
        assertThat(names(n.get("detections").get(0))).containsExactly("class", "label", "score", "box", "crop");
        FrameResult back = ResultJson.decode(ResultJson.encode(r));
        assertThat(back.crops()).hasSize(2);
        assertThat(back.crops().get(0)).containsExactly(1, 2, 3);
        assertThat(back.crops().get(1)).containsExactly((byte) 0xFF);
        // without crops there is no crop field
        assertThat(MAPPER.readTree(ResultJson.encode(detector(List.of()))).get("detections").get(0).has("crop")).isFalse();
    }

    @Test
    void decodeOfEncodeGivesTheSameResult() {
        FrameResult r = detector(List.of());
        assertThat(ResultJson.decode(ResultJson.encode(r))).isEqualTo(r);
        FrameResult c = classifier();
        assertThat(ResultJson.decode(ResultJson.encode(c))).isEqualTo(c);
        FrameResult odd = new FrameResult("cam \"7\" / ünï 📹", Long.MAX_VALUE, 1L << 40, 1, 1, "m\\n", "cpu", "cpu",
                List.of(), List.of(), List.of(), new FrameResult.Timing(-1, 1, 8, stages()));
        assertThat(ResultJson.decode(ResultJson.encode(odd))).isEqualTo(odd);
    }

    @Test
    void scoresAndBoxesAreRounded() {
        FrameResult r = new FrameResult("s", 1, 1, 1, 1, "m", "cpu", "cpu",
                List.of(new FrameResult.DetectionJson(1, "x", 0.123456f, 1.26f, 2.24f, 3.05f, 4.96f)),
                List.of(new FrameResult.ClassJson(3, "y", 0.99995f)), List.of(), new FrameResult.Timing(0, 0, 8, Map.of()));
        FrameResult back = ResultJson.decode(ResultJson.encode(r));
        FrameResult.DetectionJson d = back.detections().get(0);
        // 0.123456 -> 0.1235; 1.26 -> 1.3; 2.24 -> 2.2; 3.05f (= 3.0499999523) -> 3.0; 4.96 -> 5.0
        assertThat(new float[] {d.score(), d.x1(), d.y1(), d.x2(), d.y2()}).containsExactly(0.1235f, 1.3f, 2.2f, 3.0f, 5.0f);
        // 0.99995f (= 0.99994999170) -> 0.9999
        assertThat(back.classes().get(0).score()).isEqualTo(0.9999f);
    }

    @Test
    void rejectsSomethingThatIsNotJson() {
        assertThatThrownBy(() -> ResultJson.decode("{not json".getBytes(UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("not a vxflow result");
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
