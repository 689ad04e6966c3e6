package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.job.JobOptions;
import io.vxflow.job.LocalCluster;
import io.vxflow.job.Models;
import io.vxflow.job.PrometheusEndpoint;
import io.vxflow.job.VxflowJob;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;

/**
 * {@code vxflow run --prometheus-port P} on a real broker and a local MiniCluster (CPU backend):
 * while the streams run through the job, Flink's Prometheus reporter serves the job's own series
 * with values that move: the result operator's {@code framesOut} grows from scrape to scrape, and
 * its {@code latencyMillis} histogram is exported as a summary with its quantiles; every stream has
 * its own series, labelled with its id. A stream that goes silent is evicted and its series leave
 * the endpoint, while a stream that keeps sending keeps them.
 */
class PrometheusScrapeITCase {
    private static final int STREAMS = 3;
    private static final int FRAMES = 40;
    private static final String FRAMES_OUT = "flink_taskmanager_job_task_operator_framesOut";
    private static final String LATENCY = "flink_taskmanager_job_task_operator_latencyMillis";
    private static final String BATCH_SIZE = "flink_taskmanager_job_task_operator_batchSize";
    private static final String STREAM = "flink_taskmanager_job_task_operator_stream_";

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

        // the last scrape with both subtasks' results: a bounded job's subtask that finishes first takes its series with it
        Scrape last = scrapes.stream().filter(s -> s.sum(FRAMES_OUT, "operator_name", "result") > 0 && s.samples(FRAMES_OUT).size() == 2)
                .reduce((a, b) -> b).orElseThrow();
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
        for (int s = 0; s < STREAMS; s++) {
            String id = "cam-" + s;
            assertThat(last.value(STREAM + "framesIn", id, "operator_name", "decode")).as("%s frames in", id).isBetween(1.0, (double) FRAMES);
            assertThat(last.value(STREAM + "decoder_frames", id, "decoder", "cpu")).as("%s frames decoded on the CPU", id)
                    .isBetween(0.0, (double) FRAMES);
            assertThat(last.value(STREAM + "droppedOverload", id, "operator_name", "decode")).as("%s dropped", id).isZero();
            assertThat(last.value(STREAM + "latencyMillis_count", id, "operator_name", "result")).as("%s latency samples", id)
                    .isBetween(0.0, (double) FRAMES);
        }
        assertThat(scrapes.stream().mapToDouble(sc -> sc.sum(STREAM + "framesOut", "stream", "cam-0")).max().orElse(0))
                .as("cam-0's results, from its own series").isPositive();
        assertThat(last.samples(BATCH_SIZE).stream().filter(s -> "0.5".equals(s.labels().get("quantile"))).map(Sample::value))
                .as("median batch size of the infer operator").isNotEmpty().allSatisfy(v -> assertThat(v).isBetween(1.0, 8.0));
    }

    /**
     * An unbounded job: "stay" keeps sending; "gone" sends, a record of an unknown codec among its
     * frames, until its series are seen with values, then falls silent. Once "gone" is evicted every
     * series labelled with it has left the endpoint, bad input by reason included, while "stay" keeps
     * all of its own, fps included (a meter Flink updates every 5 s), and keeps counting.
     */
    @Test
    void anEvictedStreamsSeriesLeaveTheEndpointWhileALiveStreamKeepsItsOwn() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            broker.start();
            broker.createTopic("frames-evict", 1);
            broker.createTopic("results-evict", 1);
            List<AccessUnit> clip = SyntheticVideoEncoder.encode(Profile.BASELINE, 30);
            int port = freePort();
            Configuration conf = new Configuration();
            conf.set(JobOptions.BOOTSTRAP, broker.bootstrapServers());
            conf.set(JobOptions.FRAMES_TOPIC, "frames-evict");
            conf.set(JobOptions.RESULTS_TOPIC, "results-evict");
            conf.set(JobOptions.MODEL, "squares");
            conf.set(JobOptions.BACKEND, "cpu");
            conf.set(JobOptions.PARALLELISM, 1);
            conf.set(JobOptions.STARTING_OFFSETS, "earliest");
            conf.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
            conf.set(JobOptions.IDLE_FLUSH, Duration.ofSeconds(1));
            conf.set(JobOptions.EVICT_AFTER, Duration.ofSeconds(4));
            conf.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "it-prom-evict");
            conf.set(PrometheusEndpoint.PORT, port);
            Configuration cluster = PrometheusEndpoint.localCluster(conf);
            cluster.addAll(LocalCluster.configuration(1));
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, cluster);
            JobClient job = env.executeAsync(VxflowJob.build(env, conf, Models.inspect("squares")));
            AtomicBoolean sending = new AtomicBoolean(true);
            AtomicBoolean goneSending = new AtomicBoolean(true);
            CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
                try (WireProducer p = new WireProducer(broker.bootstrapServers(), "frames-evict")) {
                    // both streams: the clip again and again, pts running on, at a sixth of real time (a light load
                    // for 2 cores); "gone" until the test has seen its series, with one record of an unknown codec
                    // before its second keyframe
                    for (long i = 0; sending.get() && i < 300 * 10; i++) {
                        AccessUnit u = clip.get((int) (i % clip.size()));
                        AccessUnit at = new AccessUnit(u.codec(), SyntheticVideoEncoder.ptsMicros(i), u.keyframe(), u.data());
                        p.send("stay", at);
                        if (goneSending.get()) {
                            if (i == clip.size()) {
                                p.send("gone", new byte[] {0, 0, 0, 1, 0x65}, "vp8", Long.toString(at.ptsMicros()), "1");
                            }
                            p.send("gone", at);
                        }
                        Thread.sleep(200);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                Scrape both = await(http, port, "gone's and stay's series with values",
                        s -> s.value(STREAM + "framesOut", "gone", "operator_name", "result") > 0
                                && s.value(STREAM + "reason_badInput", "gone", "reason", "unknown-codec") == 1
                                // a frame after the bad record: the scrape can fall between the two
                                && s.value(STREAM + "framesIn", "gone", "operator_name", "decode") > clip.size() + 1
                                && s.value(STREAM + "framesOut", "stay", "operator_name", "result") > 0);
                goneSending.set(false);
                assertThat(both.value(STREAM + "decoder_frames", "gone", "decoder", "cpu")).isPositive();
                assertThat(both.value(STREAM + "droppedOverload", "gone", "operator_name", "decode")).isZero();

                Scrape after = await(http, port, "gone's series to leave while stay's fps is measured",
                        s -> s.all().stream().noneMatch(x -> "gone".equals(x.labels().get("stream")))
                                && s.value(STREAM + "fps", "stay", "operator_name", "result") > 0);
                assertThat(after.sum("flink_taskmanager_job_task_operator_streamsEvicted", "operator_name", "decode")).isPositive();
                // a meter over 10 s that Flink updates every 5 s: its first values average over time before the stream began
                assertThat(after.value(STREAM + "fps", "stay", "operator_name", "result")).as("results/s of a 5 fps stream").isPositive().isLessThan(30.0);
                assertThat(after.samples(STREAM + "latencyMillis").stream().filter(x -> "stay".equals(x.labels().get("stream")))
                        .filter(x -> "0.99".equals(x.labels().get("quantile"))).map(Sample::value)).singleElement()
                        .satisfies(v -> assertThat(v).isBetween(0.0, 600_000.0));
                for (String name : List.of("framesIn", "framesOut", "fps", "latencyMillis_count", "droppedOverload", "decoder_frames")) {
                    assertThat(after.samples(STREAM + name)).as("stay's %s after gone's eviction", name)
                            .anySatisfy(x -> assertThat(x.labels()).containsEntry("stream", "stay"));
                }
                double stayIn = after.value(STREAM + "framesIn", "stay", "operator_name", "decode");
                await(http, port, "stay to keep counting", s -> s.value(STREAM + "framesIn", "stay", "operator_name", "decode") > stayIn);
            } finally {
                sending.set(false);
                producing.join();
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Scrapes every 200 ms until {@code until} holds (3 minutes at most). */
    private static Scrape await(HttpClient http, int port, String what, Predicate<Scrape> until) throws Exception {
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        Scrape last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    last = Scrape.parse(r.body());
                    if (until.test(last)) {
                        return last;
                    }
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out waiting for " + what + "; last scrape's per-stream series: "
                + (last == null ? "none" : last.all().stream().filter(x -> x.labels().containsKey("stream")).map(x -> x.name() + x.labels().get("stream") + "=" + x.value()).toList()));
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

        /** The value of stream {@code stream}'s series {@code name} whose label {@code key} is {@code value}; 0 when absent. */
        double value(String name, String stream, String key, String value) {
            return samples(name).stream().filter(s -> stream.equals(s.labels().get("stream")) && value.equals(s.labels().get(key)))
                    .mapToDouble(Sample::value).sum();
        }

        /** The sum over every series of {@code name} whose label {@code key} is {@code value}. */
        double sum(String name, String key, String value) {
            return samples(name).stream().filter(s -> value.equals(s.labels().get(key))).mapToDouble(Sample::value).sum();
        }
    }
}
