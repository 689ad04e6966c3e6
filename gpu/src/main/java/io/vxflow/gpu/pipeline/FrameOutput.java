package io.vxflow.gpu.pipeline;

import io.vxflow.gpu.postprocess.Detection;
import java.util.List;

/**
 * What one frame's result carries back to the host: detections in source-frame pixels (detectors),
 * top-k classes (classifiers) and, when cropping is on, one RGB24 thumbnail per detection (in the
 * order of {@code detections}, {@code cropSize} square).
 */
public record FrameOutput(List<Detection> detections, List<ClassScore> classes, List<byte[]> crops, int cropSize) {

    /** A class and its probability. */
    public record ClassScore(int classId, float score) {}
}
