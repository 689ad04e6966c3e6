package io.vxflow.gpu.testmodel;

import static io.vxflow.gpu.testmodel.OnnxProtoWriter.FLOAT;
import static io.vxflow.gpu.testmodel.OnnxProtoWriter.floatAttr;
import static io.vxflow.gpu.testmodel.OnnxProtoWriter.intAttr;
import static io.vxflow.gpu.testmodel.OnnxProtoWriter.intsAttr;

import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.testmodel.OnnxProtoWriter.Graph;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Builds {@code squares-640.onnx}, an analytic known-answer detector for the coloured squares of
 * {@link SyntheticScene}, with the input and output contract of an Ultralytics YOLOv8 export.
 *
 * <ul>
 *   <li>input {@code images}: float32 {@code [batch, 3, 640, 640]}, RGB planar, pixel / 255;
 *   <li>output {@code output0}: float32 {@code [batch, 7, 6400]}; rows 0..3 box cx, cy, w, h in
 *       model-input pixels, rows 4..6 scores of red, green, blue for the 80x80 anchors of stride 8
 *       (anchor {@code gy * 80 + gx}, cell centre {@code (8 gx + 4, 8 gy + 4)}).
 * </ul>
 *
 * <p>How it sees: a 1x1 convolution and a sigmoid make a soft mask per class
 * ({@code red = sigmoid(K (R - G/2 - B/2 - T))}, so any grey gives ~0); an 8x8 average pool turns it
 * into the covered fraction of each cell (the class score); a grouped 17x17 convolution sums, over
 * ±8 cells, the mass and the mass-weighted pixel offsets of each class, giving the blob's centroid
 * relative to the cell and its area, hence the box ({@code side = sqrt(area)}). Each anchor reports
 * the box of its best-scoring class. A blob must fit inside the ±8-cell window (squares up to about
 * 60 model pixels) and be the only blob of its colour within it.
 *
 * <p>Owns nothing; {@link #build()} is pure and deterministic.
 */
public final class SquaresDetectorModel {
    public static final String DEFAULT_OUTPUT = "gpu/src/main/resources/io/vxflow/gpu/models/squares-640.onnx";
    public static final int SIZE = 640;
    public static final int STRIDE = 8;
    public static final int GRID = SIZE / STRIDE;
    public static final int ANCHORS = GRID * GRID;
    public static final int CLASSES = 3;
    /** Window half-width of the moment convolution, in cells. */
    static final int REACH = 8;
    /** Sigmoid gain and colour-excess threshold of the mask. */
    static final float GAIN = 30f;
    static final float THRESHOLD = 0.4f;

    private SquaresDetectorModel() {}

    /** Writes the model to {@code args[0]}, or to {@link #DEFAULT_OUTPUT} (run from the repository root). */
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : DEFAULT_OUTPUT);
        byte[] model = build();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(out, model);
        System.out.println("wrote " + out + " (" + model.length + " bytes)");
    }

    /** The encoded {@code ModelProto}. */
    public static byte[] build() {
        Graph g = new Graph("squares-640");
        g.input("images", FLOAT, "batch", 3, SIZE, SIZE);
        String cover = classCoverage(g, "images");
        String boxes = boxesPerClass(g, cover);
        String scores = g.node("Reshape", "scores", List.of(cover, shape(g, "scores_shape", -1, CLASSES, ANCHORS)));
        String best = bestClassBoxes(g, boxes, scores);
        g.node("Concat", "output0", List.of(best, scores), intAttr("axis", 1));
        g.output("output0", FLOAT, "batch", 4 + CLASSES, ANCHORS);

        LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        metadata.put("names", "{0: 'red', 1: 'green', 2: 'blue'}");
        metadata.put("stride", String.valueOf(STRIDE));
        metadata.put("vxflow.model", "squares-640");
        return OnnxProtoWriter.model(g, 8, 17, "vxflow SquaresDetectorModel", "1", metadata);
    }

    /** images -> per-class fraction of each 8x8 cell covered by that colour, [B, 3, 80, 80]. */
    private static String classCoverage(Graph g, String images) {
        float[] w = new float[CLASSES * 3];
        float[] b = new float[CLASSES];
        for (int c = 0; c < CLASSES; c++) {
            for (int ch = 0; ch < 3; ch++) {
                w[c * 3 + ch] = GAIN * (ch == c ? 1f : -0.5f);
            }
            b[c] = -GAIN * THRESHOLD;
        }
        g.floats("mask_w", new long[] {CLASSES, 3, 1, 1}, w);
        g.floats("mask_b", new long[] {CLASSES}, b);
        g.node("Conv", "mask_logit", List.of(images, "mask_w", "mask_b"), intsAttr("kernel_shape", 1, 1));
        g.node("Sigmoid", "mask", List.of("mask_logit"));
        return g.node("AveragePool", "cover", List.of("mask"),
                intsAttr("kernel_shape", STRIDE, STRIDE), intsAttr("strides", STRIDE, STRIDE));
    }

    /** cover -> every class's box at every anchor, [B, 3, 4, 6400] (cx, cy, w, h). */
    private static String boxesPerClass(Graph g, String cover) {
        int k = 2 * REACH + 1;
        float[] w = new float[CLASSES * 3 * k * k];
        for (int o = 0; o < CLASSES * 3; o++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int moment = o % 3; // 0: mass, 1: x offset, 2: y offset, in model pixels
                    float v = moment == 0 ? 1f : STRIDE * (moment == 1 ? kx - REACH : ky - REACH);
                    w[(o * k + ky) * k + kx] = v;
                }
            }
        }
        g.floats("moment_w", new long[] {CLASSES * 3, 1, k, k}, w);
        g.node("Conv", "moments", List.of(cover, "moment_w"), intAttr("group", CLASSES),
                intsAttr("kernel_shape", k, k), intsAttr("pads", REACH, REACH, REACH, REACH));
        String mass = everyThirdChannel(g, "mass", 0);
        String sumX = everyThirdChannel(g, "sum_x", 1);
        String sumY = everyThirdChannel(g, "sum_y", 2);

        g.floats("epsilon", new long[] {}, 1e-6f);
        g.node("Add", "mass_safe", List.of(mass, "epsilon"));
        g.floats("cell_x", new long[] {GRID}, cellCentres());
        g.floats("cell_y", new long[] {GRID, 1}, cellCentres());
        g.node("Div", "off_x", List.of(sumX, "mass_safe"));
        g.node("Add", "cx", List.of("off_x", "cell_x"));
        g.node("Div", "off_y", List.of(sumY, "mass_safe"));
        g.node("Add", "cy", List.of("off_y", "cell_y"));
        g.floats("cell_area", new long[] {}, STRIDE * STRIDE);
        g.node("Mul", "area", List.of(mass, "cell_area"));
        g.node("Sqrt", "side", List.of("area"));

        String columnShape = shape(g, "column_shape", -1, CLASSES, 1, ANCHORS);
        for (String s : List.of("cx", "cy", "side")) {
            g.node("Reshape", s + "_col", List.of(s, columnShape));
        }
        return g.node("Concat", "boxes", List.of("cx_col", "cy_col", "side_col", "side_col"), intAttr("axis", 2));
    }

    /** For each anchor, the box of the class with the highest score: [B, 4, 6400]. */
    private static String bestClassBoxes(Graph g, String boxes, String scores) {
        g.node("ArgMax", "best_class", List.of(scores), intAttr("axis", 1), intAttr("keepdims", 1));
        g.node("Reshape", "best_class4", List.of("best_class", shape(g, "pick_shape", -1, 1, 1, ANCHORS)));
        g.node("Expand", "pick", List.of("best_class4", shape(g, "pick_expand", 1, 1, 4, 1)));
        g.node("GatherElements", "best_box4", List.of(boxes, "pick"), intAttr("axis", 1));
        return g.node("Reshape", "best_box", List.of("best_box4", shape(g, "box_shape", -1, 4, ANCHORS)));
    }

    /** Channels {@code first, first + 3, first + 6} of the moments: one moment for every class. */
    private static String everyThirdChannel(Graph g, String name, int first) {
        long[] one = {1};
        String starts = g.int64s(name + "_start", one, first);
        String ends = g.int64s(name + "_end", one, CLASSES * 3);
        if (first == 0) {
            g.int64s("channel_axis", one, 1);
            g.int64s("channel_step", one, 3);
        }
        return g.node("Slice", name, List.of("moments", starts, ends, "channel_axis", "channel_step"));
    }

    private static String shape(Graph g, String name, long... dims) {
        return g.int64s(name, new long[] {dims.length}, dims);
    }

    private static float[] cellCentres() {
        float[] c = new float[GRID];
        for (int i = 0; i < GRID; i++) {
            c[i] = i * STRIDE + STRIDE / 2f;
        }
        return c;
    }
}
