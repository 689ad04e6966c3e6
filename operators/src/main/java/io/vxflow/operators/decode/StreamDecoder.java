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
    /** Drained after a silence: the decoder lost its references; the GOP is re-decoded on resume. */
    boolean drained;
    /** Access units fed minus frames out since the last reset: frames the decoder holds for reordering. */
    int held;
    /**
     * After a replay: frames at or before the last emitted pts are dropped (emitted before, or
     * overtaken by an idle drain) until a frame of a GOP whose keyframe came after the replay is out.
     */
    boolean keepOrder;
    /** Pts of the first keyframe fed after the replay, or MAX_VALUE while none has been. */
    long keepOrderUntilPts = Long.MAX_VALUE;
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
        drained = false;
        held = 0;
        ingestByPts.clear();
    }

    void keepOrderAfterReplay() {
        keepOrder = true;
        keepOrderUntilPts = Long.MAX_VALUE;
    }

    @Override
    public void close() {
        decoder.close();
    }
}
