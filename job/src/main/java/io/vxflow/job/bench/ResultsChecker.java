package io.vxflow.job.bench;

import io.vxflow.connectors.results.FrameResult;
import io.vxflow.job.demo.ResultsWatcher;
import io.vxflow.job.demo.StreamStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The benchmark's view of the results topic: a {@code read_committed} consumer (the demo's
 * {@link ResultsWatcher}, so exactly what the job committed) that files each result's latency by
 * the second it was emitted ({@link LatencyTimeline}) and checks it: one result per frame, in
 * order, with the synthetic scene's boxes when the model is the built-in one; results the job
 * marked {@code "dropped":"overload"} are counted and not box-checked, nor are those the inference
 * interval left unanalysed ({@code "dropped":"interval"}). One thread.
 */
final class ResultsChecker implements AutoCloseable {
    private static final byte[] DROPPED = "\"dropped\":\"overload\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UNANALYSED = "\"dropped\":\"".getBytes(StandardCharsets.US_ASCII);

    private final ResultsWatcher watcher;
    private final LatencyTimeline timeline = new LatencyTimeline();
    private final StageBreakdown stages;
    private final boolean checkBoxes;
    private final int clipFrames;
    private long firstEmitMillis = Long.MAX_VALUE;
    private long lastEmitMillis = Long.MIN_VALUE;
    private long droppedTotal;
    private long boxesChecked;
    private long boxesWrong;

    /** @param slowMillis results slower than this are also broken down on their own ({@link StageBreakdown}) */
    ResultsChecker(String bootstrap, String topic, int clipFrames, boolean checkBoxes, long slowMillis) throws IOException {
        this.stages = new StageBreakdown(slowMillis);
        this.checkBoxes = checkBoxes;
        this.clipFrames = clipFrames;
        this.watcher = new ResultsWatcher(bootstrap, Map.of(), topic, clipFrames, null, this::onResult);
    }

    private void onResult(FrameResult r, byte[] json, boolean duplicate, long receivedMillis) {
        if (duplicate) {
            return; // counted by the watcher; its latency would count the frame twice
        }
        boolean dropped = isDropped(json);
        timeline.add(r.timing().emitMillis(), r.timing().latencyMillis(), r.timing().batch(), dropped);
        firstEmitMillis = Math.min(firstEmitMillis, r.timing().emitMillis());
        lastEmitMillis = Math.max(lastEmitMillis, r.timing().emitMillis());
        boolean analysed = !dropped && !isUnanalysed(json);
        if (analysed && r.timing().stagesMicros() != null) {
            stages.add(r.timing().emitMillis(), r.timing().latencyMillis(), r.timing().stagesMicros());
        }
        if (dropped) {
            droppedTotal++;
        } else if (checkBoxes && analysed) {
            boxesChecked++;
            if (!StreamStats.boxesMatch(r, r.frame() % clipFrames)) {
                boxesWrong++;
            }
        }
    }

    /** Reads what the job committed since the last call, waiting at most {@code wait}. */
    void poll(Duration wait) {
        watcher.poll(wait);
    }

    LatencyTimeline timeline() {
        return timeline;
    }

    StageBreakdown stages() {
        return stages;
    }

    /** Streams with at least one result. */
    int streamsSeen() {
        return watcher.streams().size();
    }

    /** When the first result was emitted; {@link Long#MAX_VALUE} before. */
    long firstEmitMillis() {
        return firstEmitMillis;
    }

    /** When the latest result read was emitted; {@link Long#MIN_VALUE} before the first. */
    long lastEmitMillis() {
        return lastEmitMillis;
    }

    /** Distinct frames with a result, all streams. */
    long results() {
        return watcher.streams().values().stream().mapToLong(StreamStats::frames).sum();
    }

    long duplicates() {
        return watcher.streams().values().stream().mapToLong(StreamStats::duplicates).sum();
    }

    long outOfOrder() {
        return watcher.streams().values().stream().mapToLong(StreamStats::outOfOrder).sum();
    }

    long droppedTotal() {
        return droppedTotal;
    }

    long boxesChecked() {
        return boxesChecked;
    }

    long boxesWrong() {
        return boxesWrong;
    }

    /** Frames published (per stream) that have no result yet; results never exceed what was published. */
    long missing(Map<String, Long> published) {
        long missing = 0;
        for (Map.Entry<String, Long> e : published.entrySet()) {
            StreamStats s = watcher.streams().get(e.getKey());
            missing += Math.max(0, e.getValue() - (s == null ? 0 : s.frames()));
        }
        return missing;
    }

    /** Whether the job marked the result {@code "dropped":"overload"} (as its JSON writer writes it, without spaces). */
    static boolean isDropped(byte[] json) {
        return contains(json, DROPPED);
    }

    /** Whether the result carries no analysis for any reason (overload, inference interval). */
    static boolean isUnanalysed(byte[] json) {
        return contains(json, UNANALYSED);
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        watcher.close();
    }
}
