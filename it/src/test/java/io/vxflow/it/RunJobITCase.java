package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.job.cli.Vxflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code vxflow run} end to end on a real in-process Kafka broker and a local MiniCluster: streams
 * written by a generic Kafka client per the README's wire format (baseline H.264, High profile with
 * B-frames, and a stream full of bad input) come back as exactly one committed result per decodable
 * frame, per stream in pts order, with the scene's known boxes. Per-stream inference intervals
 * ({@code -Dvxflow.infer.per-stream-interval}) analyse every 3rd frame of cam-high and every 2nd of
 * cam-base: their other frames come back in their places marked {@code "dropped":"interval"}, without
 * boxes.
 */
class RunJobITCase {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().build();
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void runProcessesEveryFrameOfEveryStreamOnceInPtsOrder() {
        Map<String, List<FrameResult>> results = runScenario(broker, "cpu", "cpu");
        assertScenario(results);
        assertThat(results.get("cam-high").get(0).backend()).isEqualTo("cpu");
    }

    /**
     * Publishes the scenario's three streams with a generic client, runs {@code vxflow run --bounded}
     * on them with {@code backend} and returns the committed results by stream.
     */
    static Map<String, List<FrameResult>> runScenario(EmbeddedKafkaBroker broker, String backend, String suffix) {
        String frames = "frames-" + suffix, out = "results-" + suffix;
        broker.createTopic(frames, 3);
        broker.createTopic(out, 3);
        List<AccessUnit> high = SyntheticVideoEncoder.encode(Profile.HIGH_BFRAMES, 75);
        List<AccessUnit> base = SyntheticVideoEncoder.encode(Profile.BASELINE, 45);
        try (WireProducer p = new WireProducer(broker.bootstrapServers(), frames)) {
            p.sendAll("cam-high", high);
            p.sendAll("cam-base", base);
            List<AccessUnit> bad = SyntheticVideoEncoder.encode(Profile.BASELINE, 90);
            for (int i = 0; i < bad.size(); i++) {
                AccessUnit u = bad.get(i);
                if (i == 4) {
                    p.send("cam-bad", u.data(), "vp9", Long.toString(u.ptsMicros()), "0"); // unknown codec
                } else if (i == 8) {
                    p.send("cam-bad", u.data(), "h264", null, "0"); // missing pts
                } else if (i == 12) {
                    p.send("cam-bad", garbage(u.data()), "h264", Long.toString(u.ptsMicros()), "0"); // corrupt, while waiting: never decoded
                } else if (i == 40) {
                    // corrupt in the middle of a GOP that decodes: it reaches the decoder (FFmpeg or NVDEC), which
                    // rejects its slice header; the stream then waits for the keyframe at 60
                    p.send("cam-bad", BAD_SLICE, "h264", Long.toString(u.ptsMicros()), "0");
                } else {
                    p.send("cam-bad", u);
                }
            }
        }
        int code = Vxflow.commandLine().execute("run", "--bootstrap", broker.bootstrapServers(), "--in", frames, "--out", out,
                "--model", "squares", "--backend", backend, "--from", "earliest", "--bounded", "--parallelism", "2",
                "--checkpoint-interval-ms", "500", "--transactional-id-prefix", "it-run-" + suffix,
                // first match wins: cam-bad is analysed in full, though cam-* would match it too
                "-Dvxflow.infer.per-stream-interval=cam-b?d=1;cam-h*=3;cam-*=2");
        assertThat(code).isZero();
        return ResultsReader.readAll(broker.bootstrapServers(), out, Duration.ofSeconds(3));
    }

    /**
     * Every decodable frame once, in pts order, with the known boxes where the stream's interval
     * analyses it; the bad stream resyncs at frame 30 and, after the corrupt unit its decoder
     * rejected at 40, at frame 60.
     */
    static void assertScenario(Map<String, List<FrameResult>> results) {
        assertThat(results.keySet()).containsExactlyInAnyOrder("cam-high", "cam-base", "cam-bad");
        assertEveryFrameOnceWithKnownBoxes(results.get("cam-high"), 0, 75, 3);
        assertEveryFrameOnceWithKnownBoxes(results.get("cam-base"), 0, 45, 2);
        // cam-bad: frames 0..3 decode; 4 (unknown codec) breaks the GOP, so 5..29 wait for the keyframe at 30;
        // 30..39 decode; 40 is corrupt and the decoder rejects it, so 41..59 wait for the keyframe at 60.
        // Had 40 not reached the decoder, or had the decoder taken it, 40..59 would be here.
        List<FrameResult> bad = results.get("cam-bad");
        List<Long> expected = new ArrayList<>(ptsRange(0, 4));
        expected.addAll(ptsRange(30, 40));
        expected.addAll(ptsRange(60, 90));
        assertThat(bad).extracting(FrameResult::pts).containsExactlyElementsOf(expected);
        assertThat(bad).allSatisfy(r -> {
            assertThat(r.dropped()).isNull();
            assertThat(KnownBoxes.matches(r, SyntheticVideoEncoder.frameIndex(r.pts()))).as("cam-bad frame at pts %d: %s", r.pts(), r.detections())
                    .isTrue();
        });
    }

    static void assertEveryFrameOnceWithKnownBoxes(List<FrameResult> results, int from, int to) {
        assertEveryFrameOnceWithKnownBoxes(results, from, to, 1);
    }

    /** ... of which every {@code interval}th (from frame 0) is analysed and the others are marked and empty. */
    static void assertEveryFrameOnceWithKnownBoxes(List<FrameResult> results, int from, int to, int interval) {
        assertThat(results).extracting(FrameResult::pts).containsExactlyElementsOf(ptsRange(from, to));
        for (FrameResult r : results) {
            long scene = SyntheticVideoEncoder.frameIndex(r.pts());
            assertThat(r.frame()).isEqualTo(scene - from);
            if (r.frame() % interval == 0) {
                assertThat(r.dropped()).as("%s frame %d", r.stream(), r.frame()).isNull();
                assertThat(KnownBoxes.matches(r, scene)).as("%s frame %d boxes %s", r.stream(), r.frame(), r.detections()).isTrue();
            } else {
                assertThat(r.dropped()).as("%s frame %d", r.stream(), r.frame()).isEqualTo("interval");
                assertThat(r.detections()).as("%s frame %d", r.stream(), r.frame()).isEmpty();
                assertThat(r.width()).isEqualTo(1920);
            }
        }
    }

    static long pts(int frame) {
        return SyntheticVideoEncoder.ptsMicros(frame);
    }

    static List<Long> ptsRange(int from, int to) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(pts(i));
        }
        return out;
    }

    /**
     * A non-IDR slice whose header no H.264 decoder takes (the one {@code NvdecDecoderGpuTest} checks
     * both decoders reject): corrupt input that reaches the decoder, on either backend.
     */
    static final byte[] BAD_SLICE = {0, 0, 0, 1, 0x41, (byte) 0x84, 0x3F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    static byte[] garbage(byte[] data) {
        byte[] g = data.clone();
        for (int i = 8; i < g.length; i += 2) {
            g[i] ^= (byte) 0xA5;
        }
        return g;
    }
}
