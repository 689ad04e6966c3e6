package io.vxflow.job.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps, in this process, the per-stream metrics of the local cluster
 * it is configured on (every metric whose group has a {@code stream} variable: decode's and result's
 * groups {@code stream=<id>}), for the live view's table. It sees a stream's metrics come and go as
 * Flink registers and closes them, so an evicted stream leaves the table as it leaves Prometheus.
 * One table per process, shared by the reporters of its local clusters; thread-safe.
 */
public final class LiveStreamMetrics implements MetricReporter {
    /** stream id → (metric key: name, or name:variable for decoder and reason groups) → metric. */
    private static final ConcurrentMap<String, ConcurrentMap<String, Metric>> STREAMS = new ConcurrentHashMap<>();
    /** stream id → slot (subtask index) that has it. */
    private static final ConcurrentMap<String, Integer> SLOTS = new ConcurrentHashMap<>();

    /** One stream's row of the table. */
    public record Row(String stream, int slot, String decoder, long framesIn, long framesOut, double fps, double latencyP50,
            double latencyP99, long droppedOverload, long badInput) {}

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> v = group.getAllVariables();
        String stream = v.get("<stream>");
        if (stream == null) {
            return;
        }
        STREAMS.computeIfAbsent(stream, s -> new ConcurrentHashMap<>()).put(key(name, v), metric);
        String slot = v.get("<subtask_index>");
        if (slot != null) {
            SLOTS.put(stream, Integer.parseInt(slot));
        }
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
        Map<String, String> v = group.getAllVariables();
        String stream = v.get("<stream>");
        if (stream == null) {
            return;
        }
        STREAMS.computeIfPresent(stream, (s, metrics) -> {
            metrics.remove(key(name, v), metric);
            return metrics.isEmpty() ? null : metrics;
        });
        if (!STREAMS.containsKey(stream)) {
            SLOTS.remove(stream);
        }
    }

    private static String key(String name, Map<String, String> variables) {
        if (variables.containsKey("<decoder>")) {
            return name + ":decoder:" + variables.get("<decoder>");
        }
        if (variables.containsKey("<reason>")) {
            return name + ":reason:" + variables.get("<reason>");
        }
        return name;
    }

    /** Every stream with metrics now, by id. */
    public static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, ConcurrentMap<String, Metric>> e : new TreeMap<>(STREAMS).entrySet()) {
            Map<String, Metric> m = e.getValue();
            String decoder = "";
            long decoded = -1;
            long bad = 0;
            for (Map.Entry<String, Metric> x : m.entrySet()) {
                if (x.getKey().startsWith("frames:decoder:") && count(x.getValue()) > decoded) {
                    decoded = count(x.getValue());
                    decoder = x.getKey().substring("frames:decoder:".length());
                } else if (x.getKey().startsWith("badInput:reason:")) {
                    bad += count(x.getValue());
                }
            }
            HistogramStatistics latency = m.get("latencyMillis") instanceof Histogram h ? h.getStatistics() : null;
            rows.add(new Row(e.getKey(), SLOTS.getOrDefault(e.getKey(), -1), decoder, count(m.get("framesIn")), count(m.get("framesOut")),
                    m.get("fps") instanceof Meter f ? f.getRate() : 0, latency != null && latency.size() > 0 ? latency.getQuantile(0.5) : Double.NaN,
                    latency != null && latency.size() > 0 ? latency.getQuantile(0.99) : Double.NaN, count(m.get("droppedOverload")), bad));
        }
        return rows;
    }

    private static long count(Metric m) {
        return m instanceof Counter c ? c.getCount() : 0;
    }

    /** Creates the reporter; found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(java.util.Properties properties) {
            return new LiveStreamMetrics();
        }
    }
}
