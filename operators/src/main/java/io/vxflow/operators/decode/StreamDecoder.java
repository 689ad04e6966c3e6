package io.vxflow.operators.decode;

import io.vxflow.gpu.decode.Codec;
import io.vxflow.gpu.decode.VideoDecoder;
import java.util.HashMap;
import java.util.Map;

/**
 * The live (not checkpointed) decoding state of one stream in a slot: its decoder, whether it waits
 * for a keyframe, its last picture size, when it last received data, and the ingest times of access
 * units still inside the decoder (by pts), so each frame reports when its data arrived.
 */
final class StreamDecoder implements AutoCloseable {
    final String streamId;
    final VideoDecoder decoder;
    boolean waitingForKeyframe = true;
    boolean replaying;
    boolean idleTimerPending;
    long lastSeenMillis;
    int width;
    int height;
    private final Map<Long, Long> ingestByPts = new HashMap<>();

    StreamDecoder(String streamId, VideoDecoder decoder) {
        this.streamId = streamId;
        this.decoder = decoder;
    }

    Codec codec() {
        return decoder.codec();
    }

    void arrived(long pts, long ingestMillis) {
        if (ingestByPts.size() > 64) {
            ingestByPts.clear(); // a decoder never holds this many; pts were not unique
        }
        ingestByPts.put(pts, ingestMillis);
    }

    long ingestOf(long pts, long fallback) {
        Long t = ingestByPts.remove(pts);
        return t == null ? fallback : t;
    }

    void requireKeyframe() {
        waitingForKeyframe = true;
        ingestByPts.clear();
    }

    @Override
    public void close() {
        decoder.close();
    }
}
