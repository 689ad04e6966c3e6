package io.vxflow.job.demo;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** The demo's closing table, and the verdict: every frame once, in order, with the known boxes. */
final class Summary {
    private final Map<String, StreamStats> streams;
    private final int expectedStreams;
    private final int framesPerStream;
    private final boolean checkBoxes;

    Summary(Map<String, StreamStats> streams, int expectedStreams, int framesPerStream, boolean checkBoxes) {
        this.streams = streams;
        this.expectedStreams = expectedStreams;
        this.framesPerStream = framesPerStream;
        this.checkBoxes = checkBoxes;
    }

    void print(PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "  %-10s %7s %6s %22s %12s %5s %9s %7s %9s%n", "stream", "frames", "fps", "latency ms p50/p95/max",
                "visible p50", "dups", "order", "dropped", checkBoxes ? "boxes ok" : "");
        int frames = 0, dups = 0, boxes = 0, dropped = 0;
        for (StreamStats s : streams.values()) {
            out.printf(Locale.ROOT, "  %-10s %7d %6.1f %22s %12d %5d %9s %7d %9s%n", s.stream, s.frames, s.fps(),
                    s.latency(0.5) + " / " + s.latency(0.95) + " / " + s.latency(1.0), s.visibleLatency(0.5), s.duplicates,
                    s.outOfOrder == 0 ? "ok" : s.outOfOrder + " late", s.dropped, checkBoxes ? s.boxesRight + "/" + (s.frames - s.dropped) : "");
            frames += s.frames;
            dups += s.duplicates;
            boxes += s.boxesRight;
            dropped += s.dropped;
        }
        out.printf(Locale.ROOT, "  %-10s %7d %6s %22s %12s %5d %9s %7d %9s%n", "all", frames, "", "", "", dups, "", dropped,
                checkBoxes ? boxes + "/" + (frames - dropped) : "");
        if (dropped > 0) {
            out.printf(Locale.ROOT, "  %d frame(s) were late and got their result without analysis (overload policy drop)%n", dropped);
        }
        out.println();
        out.println(allGood() ? "  OK: every frame of every stream came back exactly once, in order" + (checkBoxes ? ", with the known boxes." : ".")
                : "  NOT OK: " + problem());
    }

    boolean allGood() {
        return problem() == null;
    }

    private String problem() {
        if (streams.size() != expectedStreams) {
            return "results for " + streams.size() + " of " + expectedStreams + " streams";
        }
        for (StreamStats s : streams.values()) {
            if (s.frames != framesPerStream) {
                return s.stream + " has " + s.frames + " of " + framesPerStream + " frames";
            }
            if (s.duplicates > 0 || s.outOfOrder > 0) {
                return s.stream + " has " + s.duplicates + " duplicates and " + s.outOfOrder + " out-of-order results";
            }
            if (checkBoxes && s.boxesRight != s.frames - s.dropped) {
                return s.stream + " has the known boxes in " + s.boxesRight + " of " + (s.frames - s.dropped) + " analysed frames";
            }
        }
        return null;
    }
}
