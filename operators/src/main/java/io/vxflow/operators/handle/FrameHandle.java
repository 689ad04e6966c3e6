package io.vxflow.operators.handle;

import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.pipeline.BatchItem;

/**
 * The record chained operators hand each other: a frame's identity (stream, index, pts), its
 * leased decoded picture, its letterbox geometry, its place in an inference batch and its stage
 * times. It holds handles to host or device memory, never pixels by value, so it cannot leave its
 * operator chain: its serializer refuses (see {@link FrameHandleTypeInfo}).
 *
 * <p>A frame <b>dropped</b> under the overload policy ({@link #dropped()} not null) carries no picture
 * and no batch item: every stage passes it on untouched, in its stream's order, and the result stage
 * gives it its one result, marked, without detections.
 *
 * <p>Mutable and owned by one task thread; each stage fills in what it produced.
 */
public final class FrameHandle {
    private final String streamId;
    private final long frameIndex;
    private final long ptsMicros;
    private final long ingestMillis;
    private final String decoder;
    private final int width;
    private final int height;
    private final long[] stageNanos = new long[Stage.values().length];
    private DecodedFrame frame;
    private LetterboxGeometry geometry;
    private Image content;
    private Image canvas;
    private BatchItem item;
    private long batchedAtNanos;
    private int batchSize;
    private String dropped;
    private boolean lastOfFlush = true;

    public FrameHandle(String streamId, long frameIndex, DecodedFrame frame, long ingestMillis, String decoder) {
        this(streamId, frameIndex, frame, frame.ptsMicros(), frame.image().width(), frame.image().height(), ingestMillis, decoder);
    }

    private FrameHandle(String streamId, long frameIndex, DecodedFrame frame, long pts, int width, int height, long ingestMillis,
            String decoder) {
        this.streamId = streamId;
        this.frameIndex = frameIndex;
        this.frame = frame;
        this.ptsMicros = pts;
        this.width = width;
        this.height = height;
        this.ingestMillis = ingestMillis;
        this.decoder = decoder;
    }

    /**
     * A frame that gets its result without being analysed ({@code reason}, e.g. {@code overload}):
     * its picture, if it was decoded at all, is already released.
     */
    public static FrameHandle dropped(String streamId, long frameIndex, long pts, int width, int height, long ingestMillis, String decoder,
            String reason) {
        FrameHandle h = new FrameHandle(streamId, frameIndex, null, pts, width, height, ingestMillis, decoder);
        h.dropped = reason;
        return h;
    }

    /** Why the frame was not analysed, or null when it was. */
    public String dropped() {
        return dropped;
    }

    /**
     * Whether this is the last frame of what the infer stage sent on at once (a batch, with any
     * dropped frames queued behind its frames): the result stage reads a whole group's results with
     * one copy, after every frame of it has passed crop and compose.
     */
    public boolean lastOfFlush() {
        return lastOfFlush;
    }

    public void lastOfFlush(boolean last) {
        this.lastOfFlush = last;
    }

    public String streamId() {
        return streamId;
    }

    public long frameIndex() {
        return frameIndex;
    }

    public long ptsMicros() {
        return ptsMicros;
    }

    public long ingestMillis() {
        return ingestMillis;
    }

    /** What decoded the frame: {@code cpu} or {@code nvdec}. */
    public String decoder() {
        return decoder;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The decoded picture, or null once released. */
    public DecodedFrame frame() {
        return frame;
    }

    /** Gives the decoded picture back to its decoder; idempotent. */
    public void releaseFrame() {
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }

    public LetterboxGeometry geometry() {
        return geometry;
    }

    public void geometry(LetterboxGeometry g) {
        this.geometry = g;
    }

    public Image content() {
        return content;
    }

    public void content(Image img) {
        this.content = img;
    }

    public Image canvas() {
        return canvas;
    }

    public void canvas(Image img) {
        this.canvas = img;
    }

    public BatchItem item() {
        return item;
    }

    public void item(BatchItem batchItem) {
        this.item = batchItem;
        this.batchedAtNanos = System.nanoTime();
    }

    /** Frames in the inference batch this frame ran in. */
    public int batchSize() {
        return batchSize;
    }

    public void batchSize(int n) {
        this.batchSize = n;
    }

    public long batchedAtNanos() {
        return batchedAtNanos;
    }

    public void addStageNanos(Stage stage, long nanos) {
        stageNanos[stage.ordinal()] += nanos;
    }

    public long stageNanos(Stage stage) {
        return stageNanos[stage.ordinal()];
    }

    /** Releases everything the frame still holds: the decoded picture and its batch item. */
    public void releaseAll() {
        releaseFrame();
        if (item != null) {
            item.finish();
        }
        content = null;
        canvas = null;
    }

    @Override
    public String toString() {
        return "FrameHandle[" + streamId + " #" + frameIndex + " pts=" + ptsMicros + "]";
    }
}
