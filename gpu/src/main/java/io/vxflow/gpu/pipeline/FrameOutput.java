package io.vxflow.gpu.pipeline;

import io.vxflow.gpu.postprocess.ClassScore;
import io.vxflow.gpu.postprocess.Detection;
import java.util.List;

/**
 * What one frame's result carries back to the host: detections in source-frame pixels (detectors),
 * top-k classes (classifiers) and, when cropping is on, one RGB24 thumbnail per detection (in the
 * order of {@code detections}, {@code cropSize} square).
 */
public record FrameOutput(List<Detection> detections, List<ClassScore> classes, List<byte[]> crops, int cropSize) {
    /** No detections, no classes: the output of a frame that was not analysed. */
    public static final FrameOutput EMPTY = new FrameOutput(List.of(), List.of(), List.of(), 0);
}
