package io.vxflow.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;

/**
 * Flink's Prometheus reporter on the local MiniCluster of {@code vxflow run} and {@code vxflow demo}
 * ({@code --prometheus-port}). It owns the reporter keys a local cluster gets; on a real cluster the
 * same keys come from the cluster's configuration ({@code deploy/flink/config.yaml}, the
 * FlinkDeployment in {@code deploy/kubernetes}), since a job cannot add reporters to a running
 * cluster.
 */
public final class PrometheusEndpoint {
    /** The reporter's name in Flink's configuration: {@code metrics.reporter.prom.*}. */
    public static final String REPORTER = "prom";

    public static final ConfigOption<Integer> PORT = key("vxflow.metrics.prometheus-port")
            .intType()
            .noDefaultValue()
            .withDescription("Serve Flink's metrics for Prometheus on this port of a local MiniCluster (run, demo).");

    private static final String PREFIX = ConfigConstants.METRICS_REPORTER_PREFIX + REPORTER + ".";

    private PrometheusEndpoint() {}

    /**
     * The configuration of a local MiniCluster for the job configuration {@code conf}: the reporter
     * when {@link #PORT} is set, else empty.
     *
     * @throws IllegalArgumentException when the port is taken: Flink would only log that and run
     *     without metrics
     */
    public static Configuration localCluster(Configuration conf) {
        Configuration cluster = new Configuration();
        conf.getOptional(PORT).ifPresent(port -> {
            requireFree(port);
            cluster.setString(PREFIX + MetricOptions.REPORTER_FACTORY_CLASS.key(), PrometheusReporterFactory.class.getName());
            cluster.setString(PREFIX + "port", Integer.toString(port));
            // stream ids are label values: keep them verbatim ("cam-1" and "cam_1" must not become one series)
            cluster.setString(PREFIX + "filterLabelValueCharacters", "false");
        });
        return cluster;
    }

    private static void requireFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new IllegalArgumentException("Prometheus port " + port + " is not free (" + e.getMessage() + ")");
        }
    }

    /** Where the endpoint is, for the console; null when no port is set. */
    public static String url(Configuration conf) {
        return conf.getOptional(PORT).map(port -> "http://localhost:" + port + "/metrics").orElse(null);
    }
}
