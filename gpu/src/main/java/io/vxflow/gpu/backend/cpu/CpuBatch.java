package io.vxflow.gpu.backend.cpu;

import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchPool;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.postprocess.ClassScore;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A CPU batch: input {@code [cap, 3, H, W]} and output {@code [cap, ...]} float32 host tensors,
 * per-item detections or classes, and (when cropping) a thumbnail strip per item. All allocated in
 * the constructor.
 */
final class CpuBatch extends Batch {
    final HostTensor input;
    final HostTensor output;
    final List<List<Detection>> detections = new ArrayList<>();
    final List<List<ClassScore>> classes = new ArrayList<>();
    final HostImage[] crops;
    final int[] cropCount;

    CpuBatch(PipelineSpec spec, BatchPool pool) {
        super(spec.maxBatch(), pool);
        int cap = spec.maxBatch();
        var m = spec.model();
        input = HostTensor.allocate(cap, 3, m.inputHeight(), m.inputWidth());
        long[] outShape = new long[m.outputShape().length + 1];
        outShape[0] = cap;
        System.arraycopy(m.outputShape(), 0, outShape, 1, m.outputShape().length);
        output = HostTensor.allocate(outShape);
        for (int i = 0; i < cap; i++) {
            detections.add(List.of());
            classes.add(List.of());
        }
        crops = new HostImage[spec.cropsEnabled() ? cap : 0];
        for (int i = 0; i < crops.length; i++) {
            crops[i] = HostImage.allocateRgb(spec.cropSize(), spec.cropSize() * spec.maxCrops());
        }
        cropCount = new int[cap];
    }

    @Override
    protected void free() {
        input.close();
        output.close();
    }
}
