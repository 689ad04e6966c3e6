package io.vxflow.operators.decode;

import io.vxflow.operators.decode.DecodeEvent.Origin;
import io.vxflow.operators.route.StreamKey;
import io.vxflow.operators.route.StreamRate;

/**
 * The task thread's side of one stream: its checkpointed {@link StreamPosition}, the decoder session
 * its worker queue drives, and the exactly-once rule that decides which decoded frames are emitted.
 * Flink-free; one task thread owns it.
 *
 * <p><b>Which frames go out.</b> Frames come out of the decoder in presentation order, each at most
 * once, except after a replay, when the decoder re-creates frames that were emitted before. A frame
 * at or before the last emitted pts is withheld when it was replayed (silently: expected) or guarded
 * (counted: overtaken by an idle drain); see {@link Origin}. Every other frame goes out, so a producer
 * whose pts restart (a camera reboot) is not mistaken for repeats.
 */
final class StreamTrack {
    /** What to do with a frame the worker decoded. */
    enum Admission { EMIT, WITHHOLD_EXPECTED, WITHHOLD_OVERTAKEN }

    final String streamId;
    /** The key its records come under (the router's choice); its position is in state under this key. */
    StreamKey key;
    /** Its frame rate, from the pts of its units, for the slot's {@code load} gauge. */
    final StreamRate rate = new StreamRate();
    /**
     * The stream's serial queue on the decode workers; null until it has a session, and again after a
     * session that held nothing was dropped, so that a stream of garbage costs no queue.
     */
    DecodeWorkers.Queue queue;
    /**
     * The session whose decoder is being opened, its queue on the opener threads; the worker that sees
     * it open moves the queue to the decode workers and clears this (volatile: written on both threads).
     */
    volatile StreamSession awaitingOpen;
    final StreamPosition position;
    /**
     * Null until the stream sends a keyframe that may open a decoder (or needs a replay or a skip),
     * and again after eviction, closing for the slot's cap, or a session that held nothing.
     */
    StreamSession session;
    /** Analyse every this many frames, by frame index ({@link InferenceInterval}); fixed for the track's life. */
    int interval = 1;
    /** Whether the position is in keyed state (a fresh one is not written: it says nothing). */
    boolean persisted;
    /** Overload: the GOP being received is skipped undecoded. */
    boolean skippingGop;
    long lastSeenMillis;
    /** When a timer first found the slot quiet while this stream was silent (0: not since); see DecodeOperator#stoppedSending. */
    long quietSeenMillis;
    boolean idleTimerPending;
    /** Commands submitted whose events have not been handled yet. */
    int inFlight;
    int width;
    int height;
    String engine = "";

    StreamTrack(StreamKey key, StreamPosition position) {
        this.key = key;
        this.streamId = key.streamId();
        this.position = position;
    }

    /** Decides a decoded frame's fate; an emitted frame advances the position. */
    Admission admit(long pts, Origin origin) {
        if (origin != Origin.LIVE && position.emittedAny && pts <= position.lastEmittedPts) {
            return origin == Origin.REPLAYED ? Admission.WITHHOLD_EXPECTED : Admission.WITHHOLD_OVERTAKEN;
        }
        position.emitted(pts);
        return Admission.EMIT;
    }
}
