package io.vxflow.job.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.ServiceLoader;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.junit.jupiter.api.Test;

/**
 * The live view's parts short of a browser: the local cluster gets the table's reporter, which Flink
 * finds through {@code META-INF/services}; the reporter builds a row per stream from the operators'
 * per-stream groups and drops it when they close; the state document escapes stream ids; the
 * server answers on localhost.
 */
class LiveViewTest {
    @Test
    void theLocalClusterGetsTheTablesReporterWhichFlinkCanFind() {
        Configuration job = new Configuration();
        assertThat(LiveViewServer.localCluster(job).toMap()).isEmpty();
        job.set(LiveViewServer.PORT, 8090);
        String factory = MetricOptions.forReporter(LiveViewServer.localCluster(job), LiveViewServer.REPORTER).get(MetricOptions.REPORTER_FACTORY_CLASS);
        assertThat(ServiceLoader.load(MetricReporterFactory.class).stream().map(p -> p.type().getName())).contains(factory);
    }

    @Test
    void aStreamsRowComesWithItsMetricsAndGoesWithThem() {
        LiveStreamMetrics reporter = new LiveStreamMetrics();
        MetricGroup decode = UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup().addGroup("stream", "row-test");
        MetricGroup result = UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup().addGroup("stream", "row-test");
        SimpleCounter in = new SimpleCounter();
        in.inc(12);
        SimpleCounter out = new SimpleCounter();
        out.inc(10);
        SimpleCounter decoded = new SimpleCounter();
        decoded.inc(11);
        SimpleCounter bad = new SimpleCounter();
        bad.inc(2);
        DescriptiveStatisticsHistogram latency = new DescriptiveStatisticsHistogram(16);
        for (int ms = 1; ms <= 100; ms++) {
            latency.update(ms);
        }
        MetricGroup decoder = decode.addGroup("decoder", "nvdec");
        MetricGroup reason = decode.addGroup("reason", "corrupt-access-unit");
        reporter.notifyOfAddedMetric(in, "framesIn", decode);
        reporter.notifyOfAddedMetric(decoded, "frames", decoder);
        reporter.notifyOfAddedMetric(bad, "badInput", reason);
        reporter.notifyOfAddedMetric(out, "framesOut", result);
        MeterView fps = new MeterView(out, 10);
        reporter.notifyOfAddedMetric(fps, "fps", result);
        reporter.notifyOfAddedMetric(latency, "latencyMillis", result);

        List<LiveStreamMetrics.Row> rows = LiveStreamMetrics.rows().stream().filter(r -> r.stream().equals("row-test")).toList();
        assertThat(rows).singleElement().satisfies(r -> {
            assertThat(r.decoder()).isEqualTo("nvdec");
            assertThat(r.framesIn()).isEqualTo(12);
            assertThat(r.framesOut()).isEqualTo(10);
            assertThat(r.badInput()).isEqualTo(2);
            assertThat(r.latencyP50()).isBetween(90.0, 100.0);
            assertThat(r.latencyP99()).isEqualTo(100.0);
        });

        reporter.notifyOfRemovedMetric(in, "framesIn", decode);
        reporter.notifyOfRemovedMetric(decoded, "frames", decoder);
        reporter.notifyOfRemovedMetric(bad, "badInput", reason);
        assertThat(LiveStreamMetrics.rows()).as("result's metrics still there").anyMatch(r -> r.stream().equals("row-test"));
        reporter.notifyOfRemovedMetric(out, "framesOut", result);
        reporter.notifyOfRemovedMetric(fps, "fps", result);
        reporter.notifyOfRemovedMetric(latency, "latencyMillis", result);
        assertThat(LiveStreamMetrics.rows()).noneMatch(r -> r.stream().equals("row-test"));
    }

    @Test
    void streamIdsAreEscapedInTheStateDocument() {
        String json = LiveState.json(List.of(), List.of(new LiveStreamMetrics.Row("a\"b\\c</script>\n", 0, "cpu", 1, 1, Double.NaN, 5, 9, 0, 0)));
        assertThat(json).contains("\"stream\":\"a\\\"b\\\\c\\u003c/script\\u003e\\u000a\"").contains("\"fps\":null").contains("\"latencyP50\":5.0");
    }

    @Test
    void theServerAnswersOnLocalhost() throws Exception {
        Configuration conf = new Configuration();
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        conf.set(LiveViewServer.PORT, port);
        try (LiveViewServer server = LiveViewServer.start(conf)) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(server.url())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<table id=\"streams\">");
            HttpResponse<String> state = http.send(HttpRequest.newBuilder(URI.create(server.url() + "api/state")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(state.body()).startsWith("{\"mosaics\":[");
            assertThat(http.send(HttpRequest.newBuilder(URI.create(server.url() + "mosaic/none-0.png")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        }
    }
}
