package io.vxflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.prometheus.PrometheusReporter;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.metrics.filter.ReporterFilter;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;
import org.apache.flink.runtime.metrics.groups.FrontMetricGroup;
import org.apache.flink.runtime.metrics.groups.ReporterScopedSettings;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/grafana/vxflow-dashboard.json}: well-formed panels on the Prometheus data source
 * variable, covering streams, fps, latency p50/p99, drops, bad input, batch fill and the GPU; and
 * every series it queries is one Flink's Prometheus reporter really serves for metrics registered
 * the way vxflow's operators register them: per stream in the group {@code addGroup("stream", id)}
 * (bad input further by {@code addGroup("reason", reason)}, decoded frames by {@code addGroup("decoder",
 * engine)}), per slot on the operator's own group.
 */
class GrafanaDashboardTest {
    private static final Pattern SERIES = Pattern.compile("\\bflink_[a-zA-Z0-9_:]+");
    private static JsonNode dashboard;

    @BeforeAll
    static void read() throws IOException {
        dashboard = new ObjectMapper().readTree(FlinkDeploymentTest.DEPLOY.resolve("grafana/vxflow-dashboard.json").toFile());
    }

    @Test
    void everySeriesItQueriesIsServedByFlinksPrometheusReporter() throws Exception {
        Set<String> served = servedSeries();
        assertThat(queriedSeries()).isNotEmpty().allSatisfy(s -> assertThat(served).as("series the reporter serves").contains(s));
    }

    @Test
    void coversStreamsFpsLatencyDropsBadInputDecoderBatchFillAndGpu() {
        String exprs = String.join("\n", expressions());
        assertThat(exprs).contains("count by (stream)", "stream_fps", "quantile=\"0.5\"", "quantile=\"0.99\"", "stream_droppedOverload",
                "stream_reason_badInput", "batchSize", "/ $max_batch", "gpuMemoryUsedBytes", "gpuDeviceMemoryUsedBytes", "gpuUtilization",
                "nvdecUtilization", "stream_decoder_frames", "decoder=\"cpu-fallback\"");
    }

    @Test
    void panelsAreWellFormedAndUseTheDataSourceVariable() {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
            assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).isNotEmpty().allSatisfy(t -> {
                assertThat(t.path("expr").asText()).isNotBlank();
                assertThat(t.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
            });
        }
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).containsExactly("datasource", "job", "stream", "max_batch");
    }

    private static List<String> expressions() {
        List<String> exprs = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> exprs.add(t.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(v -> exprs.add(v.path("definition").asText()));
        return exprs;
    }

    private static Set<String> queriedSeries() {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions()) {
            Matcher m = SERIES.matcher(expr);
            while (m.find()) {
                names.add(m.group());
            }
        }
        return names;
    }

    /** The series names a real reporter serves for vxflow's per-stream and per-slot metrics. */
    private static Set<String> servedSeries() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        MetricConfig config = new MetricConfig();
        config.setProperty("port", Integer.toString(port));
        config.setProperty("filterLabelValueCharacters", "false");
        PrometheusReporter reporter = new PrometheusReporterFactory().createMetricReporter(config);
        try {
            reporter.open(config);
            MetricGroup slot = UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup();
            MetricGroup stream = slot.addGroup("stream", "cam-1.north");
            add(reporter, stream, "framesIn", new SimpleCounter());
            add(reporter, stream, "framesOut", new SimpleCounter());
            add(reporter, stream, "fps", new MeterView(60));
            add(reporter, stream, "latencyMillis", new DescriptiveStatisticsHistogram(16));
            add(reporter, stream, "droppedOverload", new SimpleCounter());
            add(reporter, stream.addGroup("reason", "corrupt-access-unit"), "badInput", new SimpleCounter());
            add(reporter, stream.addGroup("decoder", "cpu-fallback"), "frames", new SimpleCounter());
            add(reporter, slot, "batchSize", new DescriptiveStatisticsHistogram(16));
            add(reporter, slot, "gpuMemoryUsedBytes", (Gauge<Long>) () -> 1L << 30);
            add(reporter, slot, "gpuDeviceMemoryUsedBytes", (Gauge<Long>) () -> 1L << 32);
            add(reporter, slot, "gpuUtilization", (Gauge<Double>) () -> 0.5);
            add(reporter, slot, "nvdecUtilization", (Gauge<Double>) () -> 0.5);
            add(reporter, slot, "load", (Gauge<Double>) () -> 1920.0 * 1080 * 30);
            add(reporter, slot, "loadSpread", (Gauge<Double>) () -> 1.03);
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            // stream ids arrive verbatim as label values
            assertThat(body).contains("stream=\"cam-1.north\"").contains("reason=\"corrupt-access-unit\"").contains("decoder=\"cpu-fallback\"");
            Set<String> names = new HashSet<>();
            body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> names.add(l.split("[{ ]", 2)[0]));
            return names;
        } finally {
            reporter.close();
        }
    }

    /** As Flink's metric registry hands a metric to a reporter: its group behind the reporter's front. */
    private static void add(PrometheusReporter reporter, MetricGroup group, String name, Metric metric) {
        reporter.notifyOfAddedMetric(metric, name, new FrontMetricGroup<>(
                new ReporterScopedSettings<>(0, '.', ReporterFilter.getNoOpFilter(), Set.of(), Map.of()), (AbstractMetricGroup<?>) group));
    }
}
