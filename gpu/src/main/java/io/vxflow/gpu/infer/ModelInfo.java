package io.vxflow.gpu.infer;

import java.io.Serializable;
import java.util.List;

/**
 * What vxflow needs to know about an ONNX model, read once at job start: its one image input
 * ({@code [batch, 3, height, width]}, float32), its output layout, class names and a content hash.
 * Immutable and serializable, so the job's client reads it and every operator receives it.
 *
 * @param name display name: metadata {@code vxflow.model}, else the file name without extension
 * @param path where the model file is
 * @param sha256 hex digest of the file, part of every engine cache key
 * @param inputName the image input
 * @param inputHeight fixed input height
 * @param inputWidth fixed input width
 * @param fixedBatch the batch size baked into the model, or 0 when the batch dimension is dynamic
 * @param outputName the output vxflow reads
 * @param outputShape the output's shape without the batch dimension
 * @param kind how the output is read
 * @param classNames class labels by index, empty when the model has none
 */
public record ModelInfo(
        String name,
        String path,
        String sha256,
        String inputName,
        int inputHeight,
        int inputWidth,
        int fixedBatch,
        String outputName,
        long[] outputShape,
        Kind kind,
        List<String> classNames)
        implements Serializable {

    /** How vxflow reads a model's output. */
    public enum Kind {
        /** {@code [4 + classes, anchors]}: box centre x, centre y, width, height, then class scores. */
        YOLO_DETECTOR,
        /** {@code [classes]}: logits or probabilities; vxflow reports the top-k. */
        CLASSIFIER
    }

    /** The same model at another path (a TaskManager's local copy). */
    public ModelInfo withPath(String newPath) {
        return new ModelInfo(name, newPath, sha256, inputName, inputHeight, inputWidth, fixedBatch, outputName, outputShape, kind, classNames);
    }

    /** Elements of one image's output. */
    public int outputSize() {
        long n = 1;
        for (long d : outputShape) {
            n *= d;
        }
        return Math.toIntExact(n);
    }

    public int numClasses() {
        return kind == Kind.YOLO_DETECTOR ? (int) outputShape[0] - 4 : (int) outputShape[0];
    }

    public int anchors() {
        return kind == Kind.YOLO_DETECTOR ? (int) outputShape[1] : 0;
    }

    /** The label of a class, or its index as text when the model names none. */
    public String label(int classId) {
        return classId >= 0 && classId < classNames.size() ? classNames.get(classId) : Integer.toString(classId);
    }
}
