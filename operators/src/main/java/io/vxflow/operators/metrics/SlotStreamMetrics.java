package io.vxflow.operators.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.metrics.MetricGroup;

/**
 * The per-stream metrics of one slot's chain, and which streams have them. Each operator of the
 * chain keeps its own per-stream metrics in its own metric group ({@link #perStream}); the decode
 * stage decides when a stream's metrics exist: from its first unit that may reach a decoder ({@link #arrived})
 * until decode evicts it ({@link #evicted}), which closes the stream's groups in every operator at
 * once, so the number of series follows the number of live streams. Other operators never open a
 * group for a stream decode does not have (a late frame of an evicted stream is counted only in the
 * operators' totals). Owned by the slot; the task thread only.
 */
public final class SlotStreamMetrics {
    private final Set<String> live = new HashSet<>();
    private final List<PerStream<?>> operators = new ArrayList<>();

    /** A record of the stream arrived: its metrics may be opened now. */
    public void arrived(String streamId) {
        live.add(streamId);
    }

    /** The stream was evicted: its groups close in every operator; a record arriving later opens new ones. */
    public void evicted(String streamId) {
        if (live.remove(streamId)) {
            for (PerStream<?> p : operators) {
                p.close(streamId);
            }
        }
    }

    /** Streams with metrics now; for tests. */
    public int liveStreams() {
        return live.size();
    }

    /**
     * One operator's per-stream metrics, built by {@code factory} in the stream's group inside
     * {@code operatorGroup} on first use; {@link PerStream#release()} it in the operator's close().
     */
    public <M> PerStream<M> perStream(MetricGroup operatorGroup, Function<MetricGroup, M> factory) {
        PerStream<M> p = new PerStream<>(operatorGroup, factory);
        operators.add(p);
        return p;
    }

    /** An operator's metrics of each live stream. */
    public final class PerStream<M> {
        private final MetricGroup operatorGroup;
        private final Function<MetricGroup, M> factory;
        private final Map<String, Open<M>> open = new HashMap<>();

        private PerStream(MetricGroup operatorGroup, Function<MetricGroup, M> factory) {
            this.operatorGroup = operatorGroup;
            this.factory = factory;
        }

        /** The stream's metrics, opened on first use; null when the stream has none (not arrived, or evicted). */
        public M get(String streamId) {
            Open<M> o = open.get(streamId);
            if (o == null) {
                if (!live.contains(streamId)) {
                    return null;
                }
                StreamMetricGroup g = new StreamMetricGroup(operatorGroup, streamId);
                o = new Open<>(g, factory.apply(g.group()));
                open.put(streamId, o);
            }
            return o.metrics;
        }

        private void close(String streamId) {
            Open<M> o = open.remove(streamId);
            if (o != null) {
                o.group.close();
            }
        }

        /** The operator is closing (its group closes every stream's with it): stop following the streams. */
        public void release() {
            open.clear();
            operators.remove(this);
        }
    }

    private record Open<M>(StreamMetricGroup group, M metrics) {}
}
