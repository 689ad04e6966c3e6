package io.vxflow.job.demo;

import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.synthetic.SyntheticScene;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * What the demo saw of one stream's results: frames, duplicates, order, latency, and whether each
 * frame's boxes are the synthetic scene's (within {@link #BOX_TOLERANCE} px).
 */
public final class StreamStats {
    static final float BOX_TOLERANCE = 8f;
    final String stream;
    private final int clipFrames;
    private final BitSet seen = new BitSet();
    private long[] latencies = new long[1024];
    private long[] visible = new long[1024];
    int frames;
    int duplicates;
    int outOfOrder;
    int boxesRight;
    /** Results of frames not analysed (overload policy drop): no boxes to check. */
    int dropped;
    long firstMillis;
    long lastMillis;
    private long lastPts = Long.MIN_VALUE;

    StreamStats(String stream, int clipFrames) {
        this.stream = stream;
        this.clipFrames = clipFrames;
    }

    /** @return false if the frame had a result already (counted as a duplicate, nothing else) */
    boolean add(FrameResult r, long receivedMillis) {
        int f = (int) r.frame();
        if (seen.get(f)) {
            duplicates++;
            return false;
        }
        seen.set(f);
        if (r.pts() <= lastPts) {
            outOfOrder++;
        }
        lastPts = r.pts();
        if (frames == latencies.length) {
            latencies = Arrays.copyOf(latencies, frames * 2);
            visible = Arrays.copyOf(visible, frames * 2);
        }
        latencies[frames] = r.timing().latencyMillis();
        visible[frames] = receivedMillis - r.timing().ingestMillis();
        frames++;
        long emitted = r.timing().emitMillis();
        firstMillis = firstMillis == 0 ? emitted : Math.min(firstMillis, emitted);
        lastMillis = Math.max(lastMillis, emitted);
        if (r.dropped() != null) {
            dropped++;
        } else if (boxesMatch(r, f % clipFrames)) {
            boxesRight++;
        }
        return true;
    }

    /** Distinct frames with a result. */
    public int frames() {
        return frames;
    }

    /** Results for a frame that had one already. */
    public int duplicates() {
        return duplicates;
    }

    /** Results whose pts was not above the stream's previous one. */
    public int outOfOrder() {
        return outOfOrder;
    }

    /** Whether the detections are the synthetic scene's at {@code sceneFrame}, each edge within {@link #BOX_TOLERANCE}. */
    public static boolean boxesMatch(FrameResult r, long sceneFrame) {
        List<SyntheticScene.Placement> want = SyntheticScene.placements(sceneFrame);
        if (r.detections().size() != want.size()) {
            return false;
        }
        for (SyntheticScene.Placement p : want) {
            boolean found = false;
            for (FrameResult.DetectionJson d : r.detections()) {
                found |= d.classId() == p.square().classId && Math.abs(d.x1() - p.x1()) <= BOX_TOLERANCE
                        && Math.abs(d.y1() - p.y1()) <= BOX_TOLERANCE && Math.abs(d.x2() - p.x2()) <= BOX_TOLERANCE
                        && Math.abs(d.y2() - p.y2()) <= BOX_TOLERANCE;
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** Pipeline latency (Kafka ingest to result) percentile in ms. */
    long latency(double q) {
        return percentile(latencies, q);
    }

    /** Visible latency (Kafka ingest to a read_committed consumer) percentile in ms. */
    long visibleLatency(double q) {
        return percentile(visible, q);
    }

    private long percentile(long[] values, double q) {
        if (frames == 0) {
            return 0;
        }
        long[] v = Arrays.copyOf(values, frames);
        Arrays.sort(v);
        return v[Math.min(frames - 1, (int) Math.floor(q * (frames - 1) + 0.5))];
    }

    /** Frames per second over the span the results were produced in. */
    double fps() {
        return frames < 2 || lastMillis == firstMillis ? frames : (frames - 1) * 1000.0 / (lastMillis - firstMillis);
    }
}
