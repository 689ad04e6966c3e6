package io.vxflow.connectors.results;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The results topic's value: one JSON object per frame.
 *
 * <pre>{@code
 * {"stream":"cam-1","pts":1233333,"frame":37,"width":1920,"height":1080,
 *  "model":"squares-640","backend":"cpu","decoder":"cpu",
 *  "detections":[{"class":0,"label":"red","score":0.9998,"box":[795.2,80.1,955.0,240.3]}],
 *  "latency_ms":41,
 *  "timing":{"ingest_ms":1763700000123,"emit_ms":1763700000164,"batch":8,
 *            "stages_us":{"decode":2100,"resize":1900,...}}}
 * }</pre>
 *
 * Classifiers write {@code "classes":[{"class":281,"label":"281","score":0.91},...]} instead of
 * detections; with cropping on, each detection has {@code "crop"}: a base64 PNG thumbnail. A frame that
 * was not analysed carries {@code "dropped":"overload"} (and no detections).
 */
public final class ResultJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ResultJson() {}

    public static byte[] encode(FrameResult r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 96 * r.detections().size());
        try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringField("stream", r.stream());
            g.writeNumberField("pts", r.pts());
            g.writeNumberField("frame", r.frame());
            g.writeNumberField("width", r.width());
            g.writeNumberField("height", r.height());
            g.writeStringField("model", r.model());
            g.writeStringField("backend", r.backend());
            g.writeStringField("decoder", r.decoder());
            if (r.dropped() != null) {
                g.writeStringField("dropped", r.dropped());
            }
            g.writeArrayFieldStart("detections");
            for (int i = 0; i < r.detections().size(); i++) {
                FrameResult.DetectionJson d = r.detections().get(i);
                g.writeStartObject();
                g.writeNumberField("class", d.classId());
                g.writeStringField("label", d.label());
                g.writeNumberField("score", round(d.score(), 4));
                g.writeArrayFieldStart("box");
                g.writeNumber(round(d.x1(), 1));
                g.writeNumber(round(d.y1(), 1));
                g.writeNumber(round(d.x2(), 1));
                g.writeNumber(round(d.y2(), 1));
                g.writeEndArray();
                if (i < r.crops().size()) {
                    g.writeStringField("crop", Base64.getEncoder().encodeToString(r.crops().get(i)));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (!r.classes().isEmpty()) {
                g.writeArrayFieldStart("classes");
                for (FrameResult.ClassJson c : r.classes()) {
                    g.writeStartObject();
                    g.writeNumberField("class", c.classId());
                    g.writeStringField("label", c.label());
                    g.writeNumberField("score", round(c.score(), 4));
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            FrameResult.Timing t = r.timing();
            g.writeNumberField("latency_ms", t.latencyMillis());
            g.writeObjectFieldStart("timing");
            g.writeNumberField("ingest_ms", t.ingestMillis());
            g.writeNumberField("emit_ms", t.emitMillis());
            g.writeNumberField("batch", t.batch());
            g.writeObjectFieldStart("stages_us");
            for (Map.Entry<String, Long> e : t.stagesMicros().entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Parses a result; for tests and tools reading the results topic. */
    public static FrameResult decode(byte[] json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            List<FrameResult.DetectionJson> dets = new ArrayList<>();
            List<byte[]> crops = new ArrayList<>();
            for (JsonNode d : n.path("detections")) {
                JsonNode b = d.get("box");
                dets.add(new FrameResult.DetectionJson(d.get("class").asInt(), d.get("label").asText(), (float) d.get("score").asDouble(),
                        (float) b.get(0).asDouble(), (float) b.get(1).asDouble(), (float) b.get(2).asDouble(), (float) b.get(3).asDouble()));
                if (d.has("crop")) {
                    crops.add(Base64.getDecoder().decode(d.get("crop").asText()));
                }
            }
            List<FrameResult.ClassJson> classes = new ArrayList<>();
            for (JsonNode c : n.path("classes")) {
                classes.add(new FrameResult.ClassJson(c.get("class").asInt(), c.get("label").asText(), (float) c.get("score").asDouble()));
            }
            JsonNode t = n.get("timing");
            Map<String, Long> stages = new LinkedHashMap<>();
            t.get("stages_us").fields().forEachRemaining(e -> stages.put(e.getKey(), e.getValue().asLong()));
            return new FrameResult(n.get("stream").asText(), n.get("pts").asLong(), n.get("frame").asLong(), n.get("width").asInt(),
                    n.get("height").asInt(), n.get("model").asText(), n.get("backend").asText(), n.get("decoder").asText(), dets,
                    classes, crops, new FrameResult.Timing(t.get("ingest_ms").asLong(), t.get("emit_ms").asLong(), t.path("batch").asInt(0), stages),
                    n.hasNonNull("dropped") ? n.get("dropped").asText() : null);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a vxflow result: " + e.getMessage(), e);
        }
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
