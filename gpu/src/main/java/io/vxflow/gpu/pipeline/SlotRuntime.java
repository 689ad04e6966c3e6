package io.vxflow.gpu.pipeline;

import io.vxflow.codec.Codec;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.Image;

/**
 * One task slot's backend: its decoders, kernels, pools, batches and inference context, behind the
 * stage calls the chained Flink operators make. On the GPU backend every call only enqueues work on
 * the slot's one CUDA stream; {@link #read} is the single place the host waits. On the CPU backend
 * every call completes before it returns.
 *
 * <p>Images returned by {@link #resize} and {@link #pad} are slot-owned scratch, valid until the same
 * stage runs again: chained operators consume them at once. Everything per frame that must outlive
 * a stage lives in a {@link BatchItem}.
 *
 * <p>Owns all of the above; {@link #close()} frees them. One thread (the task's) drives it.
 */
public interface SlotRuntime extends AutoCloseable {
    PipelineSpec spec();

    Backend backend();

    /** A decoder for one stream, on this slot's device and stream. */
    VideoDecoder openDecoder(Codec codec);

    /** Converts and scales the frame into the content area of the slot's resize image. */
    Image resize(DecodedFrame frame, LetterboxGeometry geometry);

    /** Letterboxes the content into the slot's model-size canvas. */
    Image pad(Image content, LetterboxGeometry geometry);

    /**
     * Normalizes the canvas into the next item of the batch being filled; the frame's geometry is
     * kept with the item for postprocess.
     */
    BatchItem normalize(Image canvas, LetterboxGeometry geometry);

    /** The batch being filled, or null when none is. */
    Batch filling();

    /** Closes the batch being filled and runs inference on it; returns it, or null if none was open. */
    Batch infer();

    /** Decodes the item's output: boxes (in source pixels) or top-k classes, kept in the batch. */
    void postprocess(BatchItem item, LetterboxGeometry geometry);

    /** Crops the item's detections out of the frame into thumbnails, kept in the batch. */
    void crop(BatchItem item, DecodedFrame frame);

    /** Draws the frame and its detections into mosaic tile {@code tile}. */
    void compose(BatchItem item, DecodedFrame frame, int tile);

    /** Copies the item's results to the host (the one device-to-host copy per frame). */
    FrameOutput read(BatchItem item);

    /** The mosaic as packed RGB24 rows, for previews; a host copy, so call it rarely. */
    byte[] mosaicRgb();

    /** Mosaic canvas width and height in pixels (0 when compose is off). */
    default int[] mosaicSize() {
        return spec().mosaicSize();
    }

    @Override
    void close();
}
