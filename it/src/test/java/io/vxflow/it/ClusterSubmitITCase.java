package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.it.cluster.StandaloneFlinkCluster.CliResult;
import io.vxflow.it.cluster.StandaloneFlinkCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flink-job/target/vxflow-job.jar}, the jar for {@code flink run} (no Flink, logging or broker
 * of its own), on a real standalone Flink cluster (a JobManager and a TaskManager, each its own JVM,
 * from Flink's own jars), submitted by Flink's command line client exactly as
 * {@code flink run -m HOST:PORT vxflow-job.jar run ...} does: the client runs vxflow's {@code main},
 * uploads the jar and the job graph through the REST API and waits for the job. Checks that every
 * frame of an H.264 (B-frames) and an HEVC stream comes back once with the known boxes, that the
 * job graph is the source and one chain holding every stage, and that failures, on the client and
 * on the cluster, reach the client as vxflow's one-line message and a non-zero exit code.
 */
class ClusterSubmitITCase {
    private static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(4);
    /** The frame chain and the results sink in one task: the only shuffle is the keyBy before decode. */
    private static final String CHAIN = "decode -> resize -> pad -> normalize -> infer -> postprocess -> crop -> compose -> result"
            + " -> results: Writer -> results: Committer";

    private static EmbeddedKafkaBroker broker;
    private static StandaloneFlinkCluster cluster;

    @BeforeAll
    static void start(@TempDir Path home) {
        broker = EmbeddedKafkaBroker.builder().build();
        broker.start();
        cluster = StandaloneFlinkCluster.builder(home, ItFiles.logDir(ClusterSubmitITCase.class)).slotsPerTaskManager(2).build().start(1);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void flinkRunSubmitsTheJarAndEveryFrameComesBackOnceWithTheKnownBoxes() {
        broker.createTopic("frames-submit", 2);
        broker.createTopic("results-submit", 2);
        SceneClip h264 = SceneClip.of(Profile.HIGH_BFRAMES, 640, 360, 30, 15, 45);
        SceneClip hevc = SceneClip.of(Profile.HEVC_MAIN, 640, 360, 30, 15, 45);
        try (WireProducer p = new WireProducer(broker.bootstrapServers(), "frames-submit")) {
            p.sendAll("cam-h264", h264.units);
            p.sendAll("cam-hevc", hevc.units);
        }

        CliResult run = flinkRun("--in", "frames-submit", "--out", "results-submit", "--bounded", "--checkpoint-interval-ms", "500",
                "--transactional-id-prefix", "it-cluster-submit");
        assertThat(run.exitCode()).as("flink run exit code; output in %s:%n%s", run.outputFile(), run.output()).isZero();
        assertThat(run.output()).contains("vxflow run: frames-submit -> results-submit, model squares-640").doesNotContain("local MiniCluster");

        String jobId = run.jobId();
        JsonNode job = cluster.rest().job(jobId);
        assertThat(job.path("state").asText()).isEqualTo("FINISHED");
        List<String> vertices = new ArrayList<>();
        job.path("vertices").forEach(v -> vertices.add(v.path("name").asText() + " x" + v.path("parallelism").asInt()));
        assertThat(vertices).containsExactly("Source: frames -> route x2", CHAIN + " x2");
        JsonNode plan = cluster.rest().get("/jobs/" + jobId + "/plan").path("plan");
        List<String> edges = new ArrayList<>();
        plan.path("nodes").forEach(n -> n.path("inputs").forEach(i -> edges.add(i.path("ship_strategy").asText())));
        assertThat(edges).as("the edges of the plan").containsExactly("HASH");

        Map<String, List<FrameResult>> results = ResultsReader.readAll(broker.bootstrapServers(), "results-submit", Duration.ofSeconds(3));
        assertThat(results.keySet()).containsExactlyInAnyOrder("cam-h264", "cam-hevc");
        assertEveryFrameOnceWithKnownBoxes(results.get("cam-h264"), h264);
        assertEveryFrameOnceWithKnownBoxes(results.get("cam-hevc"), hevc);
    }

    @Test
    void aBadOptionFailsTheClientWithVxflowsMessageAndSubmitsNothing() {
        List<String> jobsBefore = cluster.rest().jobIds();
        CliResult missingModel = cluster.flink(CLIENT_TIMEOUT, "run", "-m", "localhost:" + cluster.restPort(), ItFiles.flinkJobJar().toString(),
                "run", "--bootstrap", broker.bootstrapServers(), "--model", "/nonexistent/detector.onnx", "--backend", "cpu");
        assertThat(missingModel.exitCode()).isNotZero();
        assertThat(missingModel.output()).contains("vxflow run: model file /nonexistent/detector.onnx does not exist\n");

        CliResult badValue = flinkRun("--in", "frames-bad", "--out", "results-bad", "-Dvxflow.precision=fp8");
        assertThat(badValue.exitCode()).isNotZero();
        assertThat(badValue.output()).contains("vxflow run: precision must be fp16 or fp32, not 'fp8'\n");
        assertThat(cluster.rest().jobIds()).as("jobs on the cluster").containsExactlyInAnyOrderElementsOf(jobsBefore);
    }

    @Test
    void aFailureOnTheClusterReachesTheClientAsVxflowsMessage() {
        broker.createTopic("frames-fail", 1);
        broker.createTopic("results-fail", 1);
        SceneClip clip = SceneClip.of(Profile.HIGH_BFRAMES, 640, 360, 10, 10, 30);
        try (RealtimeStreams live = new RealtimeStreams(broker.bootstrapServers(), "frames-fail", List.of(new RealtimeStreams.Stream("cam-fail", clip, 0)))) {
            // every checkpoint fails on the TaskManager before its commit; after one restart the job fails
            CliResult run = flinkRun("--in", "frames-fail", "--out", "results-fail", "--checkpoint-interval-ms", "300",
                    "-Dvxflow.test.inject-failures=before-commit:1", "-Dvxflow.restart.attempts=1");
            assertThat(run.exitCode()).isNotZero();
            assertThat(run.output()).containsPattern("vxflow run: vxflow test failure injection: failing after checkpoint \\d+ was taken, before its commit\n");
            assertThat(cluster.rest().jobState(run.jobId())).isEqualTo("FAILED");
        }
    }

    /** {@code flink run -m localhost:PORT vxflow-job.jar run --bootstrap ... --model squares --backend cpu ARGS} (attached). */
    private static CliResult flinkRun(String... args) {
        List<String> cli = new ArrayList<>(List.of("run", "-m", "localhost:" + cluster.restPort(), ItFiles.flinkJobJar().toString(),
                "run", "--bootstrap", broker.bootstrapServers(), "--model", "squares", "--backend", "cpu", "--from", "earliest",
                "--parallelism", "2"));
        cli.addAll(List.of(args));
        return cluster.flink(CLIENT_TIMEOUT, cli.toArray(String[]::new));
    }

    private static void assertEveryFrameOnceWithKnownBoxes(List<FrameResult> results, SceneClip clip) {
        List<Long> want = new ArrayList<>();
        for (AccessUnit u : clip.units) {
            want.add(u.ptsMicros());
        }
        want.sort(null);
        assertThat(results).extracting(FrameResult::pts).containsExactlyElementsOf(want);
        for (FrameResult r : results) {
            long frame = Math.round(r.pts() * clip.fps / 1e6);
            assertThat(r.frame()).isEqualTo(frame);
            assertThat(clip.boxesMatch(r, frame)).as("%s frame %d boxes %s", r.stream(), frame, r.detections()).isTrue();
        }
    }
}
