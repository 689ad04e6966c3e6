package io.vxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.job.PrometheusEndpoint;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --prometheus-port}: the reporter keys a local cluster gets, and one line for a port that is
 * out of range or taken (Flink itself would only log the bind failure and run without metrics). The
 * endpoint itself is scraped in {@code PrometheusScrapeITCase}.
 */
class PrometheusFlagTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Vxflow.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @Test
    void localClusterGetsThePrometheusReporterOnThatPort() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Configuration job = new Configuration();
        job.set(PrometheusEndpoint.PORT, port);
        Configuration reporter = MetricOptions.forReporter(PrometheusEndpoint.localCluster(job), PrometheusEndpoint.REPORTER);
        assertThat(reporter.get(MetricOptions.REPORTER_FACTORY_CLASS)).isEqualTo(PrometheusReporterFactory.class.getName());
        assertThat(reporter.toMap()).containsEntry("port", Integer.toString(port)).containsEntry("filterLabelValueCharacters", "false");
        assertThat(PrometheusEndpoint.url(job)).isEqualTo("http://localhost:" + port + "/metrics");
    }

    @Test
    void withoutThePortTheLocalClusterGetsNoReporter() {
        assertThat(PrometheusEndpoint.localCluster(new Configuration()).toMap()).isEmpty();
        assertThat(PrometheusEndpoint.url(new Configuration())).isNull();
    }

    @Test
    void portOutOfRangeIsOneLine() {
        assertThat(run("demo", "--prometheus-port", "70000")).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("vxflow demo: --prometheus-port must be 1..65535" + System.lineSeparator());
    }

    @Test
    void takenPortIsOneLineBeforeTheJobStarts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            assertThat(run("run", "--bootstrap", "localhost:1", "--model", "squares", "--prometheus-port", Integer.toString(port))).isEqualTo(2);
            assertThat(err.toString().lines()).singleElement().asString().startsWith("vxflow run: Prometheus port " + port + " is not free (");
        }
    }

    @Test
    void takenPortIsRefusedByTheEndpointItself() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Configuration job = new Configuration();
            job.set(PrometheusEndpoint.PORT, taken.getLocalPort());
            assertThatThrownBy(() -> PrometheusEndpoint.localCluster(job)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Prometheus port " + taken.getLocalPort() + " is not free");
        }
    }
}
