package io.vxflow.operators.decode;

import io.vxflow.codec.DecodeError;
import io.vxflow.operators.metrics.SlotStreamMetrics;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The decode stage's per-stream metrics, each in group {@code stream=<id>} of the decode operator:
 * {@code framesIn} (records received), {@code droppedOverload} (frames the overload policy let skip
 * inference), {@code skippedInterval} (frames the inference interval left unanalysed),
 * {@code decoder=<engine>.frames} (frames decoded, by engine: {@code nvdec},
 * {@code cpu-fallback} or {@code cpu}) and {@code reason=<reason>.badInput}. A stream's metrics exist
 * from its first unit that may reach a decoder ({@link #received}; the operator does not call it for
 * garbage of a stream without a decoder, so made-up ids open no groups until a keyframe of theirs passes the limits) until it is evicted, when the
 * slot's {@link SlotStreamMetrics} closes them in every operator of the chain. The task thread only.
 */
final class DecodeStreamMetrics {
    private final SlotStreamMetrics slot;
    private final SlotStreamMetrics.PerStream<Stream> streams;

    DecodeStreamMetrics(SlotStreamMetrics slot, MetricGroup operatorGroup) {
        this.slot = slot;
        this.streams = slot.perStream(operatorGroup, Stream::new);
    }

    void received(String streamId) {
        slot.arrived(streamId);
        streams.get(streamId).framesIn.inc();
    }

    void decoded(String streamId, String engine) {
        Stream s = streams.get(streamId);
        if (s != null) {
            s.decoded.computeIfAbsent(engine, e -> s.group.addGroup("decoder", e).counter("frames")).inc();
        }
    }

    void dropped(String streamId) {
        Stream s = streams.get(streamId);
        if (s != null) {
            s.droppedOverload.inc();
        }
    }

    void skippedByInterval(String streamId) {
        Stream s = streams.get(streamId);
        if (s != null) {
            s.skippedInterval.inc();
        }
    }

    void badInput(String streamId, DecodeError reason) {
        Stream s = streamId == null ? null : streams.get(streamId);
        if (s != null) {
            s.badInput.computeIfAbsent(reason, r -> s.group.addGroup("reason", r.metricName()).counter("badInput")).inc();
        }
    }

    /** Closes the stream's metrics in every operator of the chain; idempotent. */
    void evicted(String streamId) {
        slot.evicted(streamId);
    }

    void release() {
        streams.release();
    }

    private static final class Stream {
        final MetricGroup group;
        final Counter framesIn;
        final Counter droppedOverload;
        final Counter skippedInterval;
        final Map<String, Counter> decoded = new HashMap<>(2);
        final Map<DecodeError, Counter> badInput = new EnumMap<>(DecodeError.class);

        Stream(MetricGroup group) {
            this.group = group;
            this.framesIn = group.counter("framesIn");
            this.droppedOverload = group.counter("droppedOverload");
            this.skippedInterval = group.counter("skippedInterval");
        }
    }
}
