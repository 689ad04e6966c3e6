package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vxflow run --checkpoint-dir DIR} survives {@code kill -9}: the job runs as its own process
 * on a local MiniCluster, is killed (SIGKILL: no shutdown hook, no savepoint) while it is working
 * through a B-frame stream and a baseline one, and the same command started again resumes from the
 * latest retained checkpoint. Every frame then appears exactly once among the committed results, in
 * pts order, with the scene's boxes: the restored decoder read its GOP back from Kafka, and the
 * killed job's open transaction was aborted.
 */
class DurableLocalRunITCase {
    private static final int FRAMES = 150;

    @Test
    void killNineAndTheSameCommandAgainLosesAndRepeatsNothing(@TempDir Path dir) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "durable-run")); // kept for a failure's diagnosis
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            broker.start();
            broker.createTopic("frames-durable", 2);
            broker.createTopic("results-durable", 2);
            List<AccessUnit> high = SyntheticVideoEncoder.encode(Profile.HIGH_BFRAMES, FRAMES);
            List<AccessUnit> base = SyntheticVideoEncoder.encode(Profile.BASELINE, FRAMES);
            try (WireProducer p = new WireProducer(broker.bootstrapServers(), "frames-durable")) {
                for (int i = 0; i < FRAMES; i++) {
                    p.send("cam-high", high.get(i));
                    p.send("cam-base", base.get(i));
                }
            }
            Path checkpoints = dir.resolve("checkpoints");
            Process first = startRun(broker, checkpoints, logs.resolve("first.log"));
            try {
                awaitCommitted(broker, 60, first, logs.resolve("first.log"));
                assertThat(completedCheckpoints(checkpoints)).as("a checkpoint to resume from").isPositive();
            } finally {
                first.destroyForcibly(); // SIGKILL
                first.waitFor(30, TimeUnit.SECONDS);
            }
            int before = committed(broker);
            assertThat(before).as("killed part way").isLessThan(2 * FRAMES);

            Process second = startRun(broker, checkpoints, logs.resolve("second.log"));
            try {
                awaitCommitted(broker, 2 * FRAMES, second, logs.resolve("second.log"));
                Thread.sleep(3_000); // a duplicate would be committed by now: several more checkpoints
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(Files.readString(logs.resolve("second.log"))).contains("resuming from");
            Map<String, List<FrameResult>> results = ResultsReader.readAll(broker.bootstrapServers(), "results-durable", Duration.ofSeconds(3));
            RunJobITCase.assertEveryFrameOnceWithKnownBoxes(results.get("cam-high"), 0, FRAMES);
            RunJobITCase.assertEveryFrameOnceWithKnownBoxes(results.get("cam-base"), 0, FRAMES);
        }
    }

    /** {@code vxflow run} in a JVM of its own, as a user would start it. */
    private static Process startRun(EmbeddedKafkaBroker broker, Path checkpoints, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.vxflow.job.cli.Vxflow", "run",
                "--bootstrap", broker.bootstrapServers(), "--in", "frames-durable", "--out", "results-durable", "--model", "squares",
                "--backend", "cpu", "--from", "earliest", "--parallelism", "2", "--checkpoint-interval-ms", "300", "--idle-flush-ms", "1000",
                "--checkpoint-dir", checkpoints.toString(), "--transactional-id-prefix", "it-durable"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int committed(EmbeddedKafkaBroker broker) {
        return ResultsReader.readAll(broker.bootstrapServers(), "results-durable", Duration.ofMillis(500)).values().stream()
                .mapToInt(List::size).sum();
    }

    private static void awaitCommitted(EmbeddedKafkaBroker broker, int n, Process job, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        int got = 0;
        while (System.currentTimeMillis() < deadline) {
            if (!job.isAlive()) {
                throw new AssertionError("vxflow run exited with " + job.exitValue() + ":\n" + tail(log));
            }
            got = committed(broker);
            if (got >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("only " + got + " of " + n + " results were committed; missing " + missing(broker) + ":\n"
                + String.join("\n", Files.readAllLines(log).stream().filter(l -> l.contains("WARN") || l.contains("resuming")).toList()));
    }

    /** Frames of the two streams not among the committed results, by stream. */
    private static Map<String, List<Long>> missing(EmbeddedKafkaBroker broker) {
        Map<String, List<FrameResult>> results = ResultsReader.readAll(broker.bootstrapServers(), "results-durable", Duration.ofMillis(500));
        Map<String, List<Long>> out = new java.util.TreeMap<>();
        for (String stream : List.of("cam-high", "cam-base")) {
            List<Long> want = new ArrayList<>(RunJobITCase.ptsRange(0, FRAMES));
            results.getOrDefault(stream, List.of()).forEach(r -> want.remove(r.pts()));
            out.put(stream, want);
        }
        return out;
    }

    private static long completedCheckpoints(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata")).count();
        }
    }

    private static String tail(Path log) throws Exception {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
