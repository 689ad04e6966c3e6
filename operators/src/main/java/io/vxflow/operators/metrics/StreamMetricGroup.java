package io.vxflow.operators.metrics;

import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;

/**
 * One stream's metric group inside an operator's group, {@code addGroup("stream", id)}: the stream id
 * becomes the {@code stream} label (Prometheus) or scope component of every metric in it. Owns the
 * group; {@link #close()} takes its metrics away from every reporter.
 *
 * <p>Why a cast: Flink's public {@link MetricGroup} cannot close a group, since groups are meant to
 * live as long as their operator; per-stream groups that did would keep a series for every stream
 * ever seen. Every group the runtime hands an operator is an {@link AbstractMetricGroup}, whose
 * {@code close()} unregisters the group's metrics from the metric registry (the Prometheus reporter
 * then drops their series), and whose {@code addGroup} replaces a closed child, so a stream that
 * returns gets a fresh group. Flink keeps a closed group's empty shell in its parent until then.
 * Groups of other kinds (tests' unregistered groups) report nothing, so there is nothing to close.
 */
public final class StreamMetricGroup implements AutoCloseable {
    private final MetricGroup group;

    public StreamMetricGroup(MetricGroup operatorGroup, String streamId) {
        this.group = operatorGroup.addGroup("stream", streamId);
    }

    public MetricGroup group() {
        return group;
    }

    /** Unregisters every metric of the stream's group (and of its subgroups) from the reporters; idempotent. */
    @Override
    public void close() {
        if (group instanceof AbstractMetricGroup<?> g) {
            g.close();
        }
    }
}
