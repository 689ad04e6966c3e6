package io.vxflow.operators.decode;

import io.vxflow.connectors.frames.FramesWireFormat;
import io.vxflow.gpu.decode.DecodeError;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts bad input in one Flink counter per reason ({@code badInput.<reason>}), and per stream
 * ({@link DecodeStreamMetrics}), and logs each
 * (stream, reason) pair once, so a broken camera cannot flood the log. Remembers the most recent
 * 10,000 pairs.
 */
final class BadInputReporter {
    private static final Logger LOG = LoggerFactory.getLogger(BadInputReporter.class);
    private static final int REMEMBERED = 10_000;
    private final Map<DecodeError, Counter> counters = new EnumMap<>(DecodeError.class);
    private final Map<String, Boolean> logged = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    private final DecodeStreamMetrics perStream;

    BadInputReporter(MetricGroup metrics, DecodeStreamMetrics perStream) {
        this.perStream = perStream;
        MetricGroup group = metrics.addGroup("badInput");
        for (DecodeError e : DecodeError.values()) {
            counters.put(e, group.counter(e.metricName()));
        }
    }

    void report(String stream, DecodeError error, String detail, String consequence) {
        counters.get(error).inc();
        perStream.badInput(stream, error);
        if (logged.put(stream + '\0' + error.name(), Boolean.TRUE) == null) {
            LOG.warn("stream '{}': {}: {}; {}. Further {} on this stream are counted in metric badInput.{} and not logged.",
                    FramesWireFormat.printable(stream, 128), error.metricName(), detail, consequence, error.metricName(), error.metricName());
        }
    }

    long count(DecodeError error) {
        return counters.get(error).getCount();
    }
}
