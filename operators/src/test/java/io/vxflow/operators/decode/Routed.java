package io.vxflow.operators.decode;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.operators.route.StreamKey;
import org.apache.flink.api.java.tuple.Tuple2;

/** Decode's input for tests that drive it without a router: each record under the key a plain hash of its stream id gives. */
final class Routed {
    private Routed() {}

    static Tuple2<StreamKey, FrameRecord> hashed(FrameRecord r, int maxParallelism) {
        return Tuple2.of(StreamKey.hashed(r.streamId(), maxParallelism), r);
    }
}
