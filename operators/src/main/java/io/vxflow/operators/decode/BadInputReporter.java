package io.vxflow.operators.decode;

import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FramesWireFormat;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts bad input in one Flink counter per reason ({@code badInput.<reason>}), and per stream
 * ({@link DecodeStreamMetrics}), and logs each
 * (stream, reason) pair once, so a broken camera cannot flood the log. Remembers the most recent
 * 10,000 pairs. A producer that invents stream ids would still get a line per id, so at most
 * {@value #LINES_PER_MINUTE} such lines are written a minute; the rest are counted as usual and
 * summed up in one line when the minute is over.
 */
final class BadInputReporter {
    private static final Logger LOG = LoggerFactory.getLogger(BadInputReporter.class);
    private static final int REMEMBERED = 10_000;
    static final int LINES_PER_MINUTE = 100;
    private final Map<DecodeError, Counter> counters = new EnumMap<>(DecodeError.class);
    private final Map<String, Boolean> logged = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };
    private final LongSupplier clock;
    private long minuteStart;
    private int linesThisMinute;
    private long notLogged;

    private final DecodeStreamMetrics perStream;

    BadInputReporter(MetricGroup metrics, DecodeStreamMetrics perStream) {
        this(metrics, perStream, System::currentTimeMillis);
    }

    BadInputReporter(MetricGroup metrics, DecodeStreamMetrics perStream, LongSupplier clockMillis) {
        this.perStream = perStream;
        MetricGroup group = metrics.addGroup("badInput");
        for (DecodeError e : DecodeError.values()) {
            counters.put(e, group.counter(e.metricName()));
        }
        this.clock = clockMillis;
        this.minuteStart = clockMillis.getAsLong();
    }

    void report(String stream, DecodeError error, String detail, String consequence) {
        counters.get(error).inc();
        perStream.badInput(stream, error);
        if (logged.put(stream + '\0' + error.name(), Boolean.TRUE) == null && withinBudget()) {
            LOG.warn("stream '{}': {}: {}; {}. Further {} on this stream are counted in metric badInput.{} and not logged.",
                    FramesWireFormat.printable(stream, 128), error.metricName(), detail, consequence, error.metricName(), error.metricName());
        }
    }

    private boolean withinBudget() {
        long now = clock.getAsLong();
        if (now - minuteStart >= 60_000 || now < minuteStart) {
            if (notLogged > 0) {
                LOG.warn("{} more streams had bad input in the last minute, not logged (at most {} lines a minute); metrics badInput.<reason> "
                        + "count every access unit", notLogged, LINES_PER_MINUTE);
            }
            minuteStart = now;
            linesThisMinute = 0;
            notLogged = 0;
        }
        if (linesThisMinute < LINES_PER_MINUTE) {
            linesThisMinute++;
            return true;
        }
        notLogged++;
        return false;
    }

    long count(DecodeError error) {
        return counters.get(error).getCount();
    }
}
