package io.vxflow.connectors.results;

import java.util.List;
import java.util.Map;

/**
 * One frame's analytics result, as written to the results topic (see {@link ResultJson} for the
 * JSON form).
 *
 * @param stream stream id
 * @param pts presentation time in microseconds, as the producer stamped it
 * @param frame index of the frame in its stream, in presentation order, from 0
 * @param width source frame width
 * @param height source frame height
 * @param model the model's name
 * @param backend {@code cpu} or {@code gpu}
 * @param decoder what decoded the frame: {@code cpu} or {@code nvdec}
 * @param detections boxes in source-frame pixels (detector models)
 * @param classes top-k classes (classifier models)
 * @param crops one PNG thumbnail per detection when cropping is on, else empty
 * @param timing end-to-end and per-stage timing
 * @param dropped why the frame was not analysed ({@code overload}), or null when it was
 */
public record FrameResult(
        String stream,
        long pts,
        long frame,
        int width,
        int height,
        String model,
        String backend,
        String decoder,
        List<DetectionJson> detections,
        List<ClassJson> classes,
        List<byte[]> crops,
        Timing timing,
        String dropped) {

    /** An analysed frame's result. */
    public FrameResult(String stream, long pts, long frame, int width, int height, String model, String backend, String decoder,
            List<DetectionJson> detections, List<ClassJson> classes, List<byte[]> crops, Timing timing) {
        this(stream, pts, frame, width, height, model, backend, decoder, detections, classes, crops, timing, null);
    }

    /** A detection: class index and label, score, box {@code [x1, y1, x2, y2]} in source pixels. */
    public record DetectionJson(int classId, String label, float score, float x1, float y1, float x2, float y2) {}

    /** A classifier's class: index, label, probability. */
    public record ClassJson(int classId, String label, float score) {}

    /**
     * When the frame's last access unit reached Kafka ({@code ingestMillis}, the record timestamp),
     * when the result left the chain ({@code emitMillis}), and how long each stage took, in
     * microseconds, by stage name ({@code decode, resize, pad, normalize, batch_wait, infer,
     * postprocess, crop, compose, read}), and how many frames the inference batch it ran in held
     * ({@code batch}). On the GPU backend stage times are the host's enqueue times; {@code read}
     * includes waiting for the GPU.
     */
    public record Timing(long ingestMillis, long emitMillis, int batch, Map<String, Long> stagesMicros) {
        public long latencyMillis() {
            return emitMillis - ingestMillis;
        }
    }
}
