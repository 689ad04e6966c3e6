package io.vxflow.gpu.cpu;

import io.vxflow.gpu.geometry.Rect;
import io.vxflow.gpu.image.ColorSpec;
import io.vxflow.gpu.image.HostImage;
import io.vxflow.gpu.postprocess.Detection;
import java.util.List;

/**
 * The CPU reference batched ROI crop: each detection's box (source-frame pixels) is sampled from the
 * frame into a {@code size} x {@code size} RGB24 thumbnail (stretched, not letterboxed), with the
 * {@link CpuResize} convention. Thumbnail {@code i} occupies rows {@code i*size .. (i+1)*size-1} of
 * the output image, which is {@code size} wide and {@code size * maxCrops} tall. Owns a CpuResize.
 */
public final class CpuCropResize {
    private final CpuResize resize = new CpuResize();
    private final int size;
    private final int maxCrops;

    public CpuCropResize(int size, int maxCrops) {
        if (size < 1 || maxCrops < 1) {
            throw new IllegalArgumentException("crop size and count must be positive");
        }
        this.size = size;
        this.maxCrops = maxCrops;
    }

    /** @return how many thumbnails were written (at most {@code maxCrops}) */
    public int run(HostImage frame, ColorSpec color, List<Detection> boxes, HostImage crops) {
        if (crops.width() != size || crops.height() < size * maxCrops) {
            throw new IllegalArgumentException("crop image must be " + size + "x" + size * maxCrops);
        }
        int n = Math.min(maxCrops, boxes.size());
        for (int i = 0; i < n; i++) {
            Detection d = boxes.get(i);
            float w = Math.max(1f, d.x2() - d.x1()), h = Math.max(1f, d.y2() - d.y1());
            resize.run(frame, color, new Rect(d.x1(), d.y1(), w, h), crops, 0, i * size, size, size);
        }
        return n;
    }

    public int size() {
        return size;
    }

    public int maxCrops() {
        return maxCrops;
    }
}
