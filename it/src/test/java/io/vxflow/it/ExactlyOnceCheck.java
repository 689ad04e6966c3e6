package io.vxflow.it;

import io.vxflow.connectors.results.FrameResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The crash tests' verdict: compares, stream by stream, the frames that were published (acknowledged
 * by the broker) with the results a read_committed consumer read, and names every frame that was
 * lost, duplicated, out of pts order, numbered wrongly or seen with boxes other than the scene's.
 * Owns nothing; {@link #of} is pure.
 */
record ExactlyOnceCheck(long published, long results, long lost, long duplicated, long outOfOrder, long wrongBoxes, long wrongFrameIndex,
        long unexpected, List<String> problems) {
    private static final int LISTED = 12;

    static ExactlyOnceCheck of(RealtimeStreams streams, Map<String, List<Long>> published, Map<String, List<FrameResult>> results) {
        long total = 0, got = 0, lost = 0, dups = 0, order = 0, boxes = 0, index = 0, unexpected = 0;
        List<String> problems = new ArrayList<>();
        for (String id : results.keySet()) {
            if (!published.containsKey(id)) {
                unexpected += results.get(id).size();
                problems.add(id + ": " + results.get(id).size() + " results of a stream that was never published");
            }
        }
        for (Map.Entry<String, List<Long>> e : published.entrySet()) {
            String id = e.getKey();
            RealtimeStreams.Stream stream = streams.stream(id);
            Set<Long> want = new HashSet<>(e.getValue());
            // the job numbers the frames it emits: a frame's index is its rank among the stream's frames. A
            // camera stopped mid-GOP (in decode order) leaves B-frames before its last frames unsent
            Map<Long, Long> rank = new HashMap<>();
            List<Long> sorted = new ArrayList<>(want);
            sorted.sort(null);
            for (int i = 0; i < sorted.size(); i++) {
                rank.put(sorted.get(i), (long) i);
            }
            List<FrameResult> rs = results.getOrDefault(id, List.of());
            total += want.size();
            got += rs.size();
            Map<Long, Integer> seen = new HashMap<>();
            TreeSet<Long> duplicatePts = new TreeSet<>(), extraPts = new TreeSet<>();
            List<String> disorder = new ArrayList<>(), badBoxes = new ArrayList<>(), badIndex = new ArrayList<>();
            long previous = Long.MIN_VALUE;
            for (FrameResult r : rs) {
                if (seen.merge(r.pts(), 1, Integer::sum) > 1) {
                    duplicatePts.add(r.pts());
                }
                if (!want.contains(r.pts())) {
                    extraPts.add(r.pts());
                }
                if (r.pts() <= previous) {
                    disorder.add(r.pts() + " after " + previous);
                }
                previous = Math.max(previous, r.pts());
                long frame = stream.frameOf(r.pts());
                Long wantIndex = rank.get(r.pts());
                if (wantIndex != null && r.frame() != wantIndex) {
                    badIndex.add("pts " + r.pts() + " frame " + r.frame() + " (want " + wantIndex + ")");
                }
                long clipFrame = stream.clipFrame(frame);
                if (!stream.clip().boxesMatch(r, clipFrame)) {
                    badBoxes.add("pts " + r.pts() + " (scene frame " + clipFrame + "): " + r.detections());
                }
            }
            TreeSet<Long> missing = new TreeSet<>(want);
            missing.removeAll(seen.keySet());
            long dupCount = seen.values().stream().mapToLong(n -> n - 1).sum();
            lost += missing.size();
            dups += dupCount;
            order += disorder.size();
            boxes += badBoxes.size();
            index += badIndex.size();
            unexpected += extraPts.size();
            report(problems, id, "lost (published, no result)", missing.size(), new ArrayList<>(missing));
            report(problems, id, "duplicated (more than one result)", dupCount, new ArrayList<>(duplicatePts));
            report(problems, id, "results for pts never published", extraPts.size(), new ArrayList<>(extraPts));
            report(problems, id, "out of pts order", disorder.size(), disorder);
            report(problems, id, "with a wrong frame index", badIndex.size(), badIndex);
            report(problems, id, "with boxes other than the scene's", badBoxes.size(), badBoxes);
        }
        return new ExactlyOnceCheck(total, got, lost, dups, order, boxes, index, unexpected, List.copyOf(problems));
    }

    private static void report(List<String> problems, String stream, String what, long count, List<?> examples) {
        if (count > 0) {
            problems.add(stream + ": " + count + " " + what + ": " + examples.subList(0, Math.min(LISTED, examples.size()))
                    + (examples.size() > LISTED ? " ..." : ""));
        }
    }

    /** One line for logs and docs. */
    String summary() {
        return String.format("%d frames published, %d results: %d lost, %d duplicated, %d out of order, %d wrong boxes, %d wrong frame index, %d unexpected",
                published, results, lost, duplicated, outOfOrder, wrongBoxes, wrongFrameIndex, unexpected);
    }
}
