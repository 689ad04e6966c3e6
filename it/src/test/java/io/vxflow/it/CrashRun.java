package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.it.cluster.StandaloneFlinkCluster;
import io.vxflow.it.cluster.StandaloneFlinkCluster.CliResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * One crash test's run: live cameras into the frames topic, vxflow submitted to a standalone cluster
 * with {@code flink run -d} (as an operator would), a read_committed consumer reading the results
 * throughout, and at the end a clean {@code flink stop --drain} after the job has read every
 * published frame, then the verdict. Owns the cameras and the consumer; the broker and the cluster
 * belong to the test.
 *
 * <p>The cameras: {@code count} streams of the synthetic scene at 640x360 and {@code fps} frames per
 * second, GOPs of 2 s and at least 6 frames; every third one HEVC (x265, B-frames), the others H.264
 * High (x264, 3 B-frames). The frame rate is low because the CPU backend's cost is per frame, not
 * per pixel (the model's 640x640 input dominates): about 40 ms of CPU a frame.
 */
final class CrashRun implements AutoCloseable {
    static final int PARTITIONS = 4;
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(4);
    /** {@code flink stop --drain} tries: one that meets a restart fails and leaves the job running. */
    private static final int STOP_ATTEMPTS = 5;

    final String frames;
    final String results;
    final String group;
    final String transactionalIdPrefix;
    private final String bootstrap;
    private final StandaloneFlinkCluster cluster;
    private final List<RealtimeStreams.Stream> cameras;
    private RealtimeStreams live;
    private CommittedResults committed;
    private String jobId;

    CrashRun(String name, String bootstrap, StandaloneFlinkCluster cluster, int count, int fps) {
        this.frames = "frames-" + name;
        this.results = "results-" + name;
        this.group = "it-" + name;
        this.transactionalIdPrefix = "it-" + name;
        this.bootstrap = bootstrap;
        this.cluster = cluster;
        int gop = Math.max(6, 2 * fps); // whole B-frame groups (3 B-frames) in every GOP
        SceneClip h264 = SceneClip.of(Profile.HIGH_BFRAMES, 640, 360, fps, gop, 6 * gop);
        SceneClip hevc = SceneClip.of(Profile.HEVC_MAIN, 640, 360, fps, gop, 6 * gop);
        List<RealtimeStreams.Stream> c = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            c.add(new RealtimeStreams.Stream(String.format("cam-%02d", i), i % 3 == 1 ? hevc : h264, i % 6));
        }
        cameras = List.copyOf(c);
    }

    /**
     * Submits the job ({@code flink run -d}) with {@code jobArgs} added, starts reading results, and
     * starts the cameras once every task runs: frames sent while the client and the first deployment
     * start would only be a backlog to work off (CPU the test pays for, and no failure happens then).
     */
    void start(String... jobArgs) {
        List<String> cli = new ArrayList<>(List.of("run", "-d", "-m", "localhost:" + cluster.restPort(), ItFiles.flinkJobJar().toString(),
                "run", "--bootstrap", bootstrap, "--in", frames, "--out", results, "--group-id", group,
                "--transactional-id-prefix", transactionalIdPrefix, "--model", "squares", "--backend", "cpu", "--from", "earliest",
                "--parallelism", "2", "--checkpoint-interval-ms", Long.toString(CHECKPOINT_INTERVAL.toMillis()),
                // the cluster's restart strategy (config.yaml), not vxflow's bounded one: this job is meant to fail many times
                "-Dvxflow.restart.attempts=-1"));
        cli.addAll(List.of(jobArgs));
        CliResult submitted = cluster.flink(CLIENT_TIMEOUT, cli.toArray(String[]::new));
        assertThat(submitted.exitCode()).as("flink run -d exit code; output in %s:%n%s", submitted.outputFile(), submitted.output()).isZero();
        jobId = submitted.jobId();
        committed = new CommittedResults(bootstrap, results, PARTITIONS);
        await("job " + jobId + " to run", CLIENT_TIMEOUT, () -> cluster.rest().allTasksRunning(jobId));
        live = new RealtimeStreams(bootstrap, frames, cameras);
    }

    String jobId() {
        return jobId;
    }

    /** Waits until every task runs and a checkpoint later than {@code after} has completed; returns its id. */
    long awaitProgress(long after, Duration timeout) {
        long[] latest = {after};
        await("job " + jobId + " running with a checkpoint after " + after, timeout, () -> {
            if (!cluster.rest().allTasksRunning(jobId)) {
                return false;
            }
            latest[0] = cluster.rest().latestCompletedCheckpoint(jobId);
            return latest[0] > after;
        });
        return latest[0];
    }

    /** Results committed so far. */
    long committedCount() {
        return committed.count();
    }

    long publishedCount() {
        return live.publishedCount();
    }

    /**
     * Stops the cameras, waits until the job has read and checkpointed every published frame, stops
     * it with {@code flink stop --drain} (decoders hand out the frames they hold, the final savepoint
     * commits), waits until the consumer has read to the end, and returns the verdict.
     */
    ExactlyOnceCheck finish(Duration timeout) {
        live.stop();
        assertThat(live.failedSends()).as("frames the broker never acknowledged (first failure: %s)", live.firstFailure()).isZero();
        // a slow machine takes longer to work off the backlog the failures left: wait as long as results keep coming
        awaitWhileProgressing("the job to read and checkpoint every published frame", timeout,
                () -> KafkaState.groupCaughtUp(bootstrap, group, frames, PARTITIONS), committed::count);
        // a stop-with-savepoint that meets a restart (an injected failure comes round every Nth checkpoint) fails
        // with "not being executed at the moment" and leaves the job running: as an operator would, wait until it
        // runs again and stop it again
        CliResult stop = null;
        for (int attempt = 1; attempt <= STOP_ATTEMPTS; attempt++) {
            await("job " + jobId + " to run before stopping it", timeout, () -> cluster.rest().allTasksRunning(jobId));
            stop = cluster.flink(CLIENT_TIMEOUT, "stop", "--drain", "-m", "localhost:" + cluster.restPort(), jobId);
            if (stop.exitCode() == 0) {
                break;
            }
        }
        assertThat(stop.exitCode()).as("flink stop --drain exit code, attempt %d; output in %s:%n%s", STOP_ATTEMPTS, stop.outputFile(),
                stop.output()).isZero();
        await("job " + jobId + " to finish", timeout, () -> cluster.rest().jobState(jobId).equals("FINISHED"));
        Map<TopicPartition, Long> end = KafkaState.endOffsets(bootstrap, results, PARTITIONS);
        awaitWhileProgressing("the read_committed consumer to reach the end of " + results + " " + end, timeout,
                () -> committed.positions().entrySet().containsAll(end.entrySet()), committed::count);
        Map<String, List<Long>> published = live.published();
        Map<String, List<io.vxflow.connectors.results.FrameResult>> read = committed.byStream();
        writeForDiagnosis(published, read);
        return ExactlyOnceCheck.of(live, published, read);
    }

    /**
     * {@code <logs>/published.tsv}, {@code results.tsv} and {@code acks.tsv} (partition, offset, send and
     * acknowledgement times of every frame): what was sent, when, and what came back, for a failure's post-mortem.
     */
    private void writeForDiagnosis(Map<String, List<Long>> published, Map<String, List<io.vxflow.connectors.results.FrameResult>> read) {
        StringBuilder p = new StringBuilder("stream\tpts\n");
        published.forEach((s, pts) -> pts.forEach(t -> p.append(s).append('\t').append(t).append('\n')));
        StringBuilder r = new StringBuilder("stream\tpts\tframe\tboxes_ok\n");
        read.forEach((s, rs) -> rs.forEach(x -> {
            RealtimeStreams.Stream stream = live.stream(s);
            long frame = stream.frameOf(x.pts());
            r.append(s).append('\t').append(x.pts()).append('\t').append(x.frame()).append('\t')
                    .append(stream.clip().boxesMatch(x, stream.clipFrame(frame))).append('\n');
        }));
        try {
            java.nio.file.Files.writeString(cluster.logDir().resolve("published.tsv"), p);
            java.nio.file.Files.writeString(cluster.logDir().resolve("results.tsv"), r);
            java.nio.file.Files.writeString(cluster.logDir().resolve("acks.tsv"), live.ackLog());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Transactions of this job left open, and partitions whose LSO is behind their high watermark; empty when none. */
    List<String> openTransactions() {
        return KafkaState.openTransactions(bootstrap, transactionalIdPrefix, results, PARTITIONS);
    }

    /** {@link StandaloneFlinkCluster#await}, with the job's state, the open transactions and the logs named on failure. */
    private void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        try {
            StandaloneFlinkCluster.await(what, timeout, condition, null);
        } catch (IllegalStateException e) {
            String open;
            try {
                open = openTransactions().toString();
            } catch (RuntimeException x) {
                open = "unknown (" + x.getMessage() + ")";
            }
            throw new AssertionError(e.getMessage() + "; now: " + status() + "; open transactions: " + open, e);
        }
    }

    /** {@link #await}, for as long as {@code progress} changes at least once per {@code stall} (at most 30 minutes). */
    private void awaitWhileProgressing(String what, Duration stall, java.util.function.BooleanSupplier condition, java.util.function.LongSupplier progress) {
        long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
        long[] last = {progress.getAsLong(), System.nanoTime()};
        await(what + " (while results keep coming, stalled at most " + stall.toSeconds() + " s)", Duration.ofMinutes(30), () -> {
            if (condition.getAsBoolean()) {
                return true;
            }
            long now = System.nanoTime(), p = progress.getAsLong();
            if (p != last[0]) {
                last[0] = p;
                last[1] = now;
            }
            if (now - last[1] > stall.toNanos() || now > deadline) {
                // an Error, so that await does not take it for a passing hiccup and retry
                throw new AssertionError("no progress for " + stall.toSeconds() + " s (or 30 minutes passed) waiting for " + what + "; now: " + status());
            }
            return false;
        });
    }

    private String status() {
        try {
            return "state " + cluster.rest().jobState(jobId) + ", TaskManagers " + cluster.rest().taskManagerIds() + ", latest checkpoint "
                    + cluster.rest().latestCompletedCheckpoint(jobId) + ", results " + committed.count() + " of " + live.publishedCount()
                    + " published; logs in " + cluster.logDir();
        } catch (RuntimeException e) {
            return "status unknown: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        if (live != null) {
            live.close();
        }
        if (committed != null) {
            committed.close();
        }
    }
}
