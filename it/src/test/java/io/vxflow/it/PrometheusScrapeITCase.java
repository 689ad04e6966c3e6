package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.gpu.decode.AccessUnit;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.job.cli.Vxflow;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code vxflow run --prometheus-port P} on a real broker and a local MiniCluster (CPU backend):
 * while the streams run through the job, Flink's Prometheus reporter serves the job's own series
 * with values that move: the result operator's {@code framesOut} grows from scrape to scrape, and
 * its {@code latencyMillis} histogram is exported as a summary with its quantiles.
 */
class PrometheusScrapeITCase {
    private static final int STREAMS = 3;
    private static final int FRAMES = 40;
    private static final String FRAMES_OUT = "flink_taskmanager_job_task_operator_framesOut";
    private static final String LATENCY = "flink_taskmanager_job_task_operator_latencyMillis";
    private static final String BATCH_SIZE = "flink_taskmanager_job_task_operator_batchSize";

    @Test
    void theEndpointServesTheJobsSeriesWhileStreamsRun() throws Exception {
        List<Scrape> scrapes = new ArrayList<>();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            broker.start();
            broker.createTopic("frames-prom", 2);
            broker.createTopic("results-prom", 2);
            List<AccessUnit> clip = SyntheticVideoEncoder.encode(Profile.BASELINE, FRAMES);
            try (WireProducer p = new WireProducer(broker.bootstrapServers(), "frames-prom")) {
                for (int s = 0; s < STREAMS; s++) {
                    p.sendAll("cam-" + s, clip);
                }
            }
            int port = freePort();
            CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> Vxflow.commandLine().execute("run",
                    "--bootstrap", broker.bootstrapServers(), "--in", "frames-prom", "--out", "results-prom", "--model", "squares",
                    "--backend", "cpu", "--from", "earliest", "--bounded", "--parallelism", "2", "--checkpoint-interval-ms", "500",
                    "--transactional-id-prefix", "it-prom", "--prometheus-port", Integer.toString(port)));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (!job.isDone() && System.nanoTime() < deadline) {
                try {
                    HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        scrapes.add(Scrape.parse(r.body()));
                    }
                } catch (IOException e) {
                    // not up yet, or already gone with the finished job's cluster
                }
                Thread.sleep(150);
            }
            assertThat(job.get()).as("vxflow run exit code").isZero();
        }

        List<Double> framesOut = scrapes.stream().map(s -> s.sum(FRAMES_OUT, "operator_name", "result")).filter(v -> v > 0).toList();
        assertThat(framesOut).as("framesOut of the result operator over %d scrapes", scrapes.size()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(framesOut.get(framesOut.size() - 1)).as("framesOut grows while the streams run").isGreaterThan(framesOut.get(0))
                .isLessThanOrEqualTo(STREAMS * FRAMES);

        // the last scrape while both subtasks ran (a bounded job's subtasks finish, and drop their series, one by one)
        Scrape last = scrapes.stream().filter(s -> s.sum(FRAMES_OUT, "operator_name", "result") > 0)
                .filter(s -> s.samples(FRAMES_OUT).size() == 2).reduce((a, b) -> b).orElseThrow();
        List<Sample> frames = last.samples(FRAMES_OUT);
        assertThat(frames).extracting(s -> s.labels().get("subtask_index")).containsExactlyInAnyOrder("0", "1");
        assertThat(frames).allSatisfy(s -> assertThat(s.labels()).containsKeys("job_id", "tm_id", "task_name")
                .containsEntry("operator_name", "result").containsEntry("job_name", "vxflow frames-prom -> results-prom (squares-640)"));

        assertThat(last.sum(LATENCY + "_count", "operator_name", "result")).as("latency samples").isPositive();
        for (String q : List.of("0.5", "0.95", "0.99")) {
            List<Sample> quantile = last.samples(LATENCY).stream().filter(s -> q.equals(s.labels().get("quantile")))
                    .filter(s -> !Double.isNaN(s.value())).toList();
            assertThat(quantile).as("latencyMillis quantile %s", q).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.value()).isBetween(0.0, 600_000.0));
        }
        assertThat(last.samples(BATCH_SIZE).stream().filter(s -> "0.5".equals(s.labels().get("quantile"))).map(Sample::value))
                .as("median batch size of the infer operator").isNotEmpty().allSatisfy(v -> assertThat(v).isBetween(1.0, 8.0));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One line of the Prometheus text format. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** One scrape, parsed from the Prometheus text exposition format (comments skipped). */
    record Scrape(List<Sample> all) {
        private static final Pattern LINE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

        static Scrape parse(String body) {
            List<Sample> samples = new ArrayList<>();
            body.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(line -> {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    throw new AssertionError("not a Prometheus sample: " + line);
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        labels.put(l.group(1), l.group(2));
                    }
                }
                samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3).replace("Inf", "Infinity"))));
            });
            return new Scrape(samples);
        }

        List<Sample> samples(String name) {
            return all.stream().filter(s -> s.name().equals(name)).toList();
        }

        /** The sum over every series of {@code name} whose label {@code key} is {@code value}. */
        double sum(String name, String key, String value) {
            return samples(name).stream().filter(s -> value.equals(s.labels().get(key))).mapToDouble(Sample::value).sum();
        }
    }
}
