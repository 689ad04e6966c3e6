package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.operators.decode.DecodeEvent.Origin;
import io.vxflow.operators.decode.StreamTrack.Admission;
import org.junit.jupiter.api.Test;

/** The exactly-once rule of the task side: which decoded frames go out. */
class StreamTrackTest {
    private static StreamTrack track() {
        return new StreamTrack(io.vxflow.operators.route.StreamKey.hashed("cam", 128), new StreamPosition());
    }

    @Test
    void framesGoOutAndNumberThemselves() {
        StreamTrack t = track();
        assertThat(t.admit(0, Origin.LIVE)).isEqualTo(Admission.EMIT);
        assertThat(t.admit(33, Origin.LIVE)).isEqualTo(Admission.EMIT);
        assertThat(t.position.nextFrameIndex).isEqualTo(2);
        assertThat(t.position.lastEmittedPts).isEqualTo(33);
    }

    @Test
    void replayedFramesEmittedBeforeAreWithheldSilentlyAndTheRestGoOut() {
        StreamTrack t = track();
        t.admit(0, Origin.LIVE);
        t.admit(33, Origin.LIVE);
        assertThat(t.admit(0, Origin.REPLAYED)).isEqualTo(Admission.WITHHOLD_EXPECTED);
        assertThat(t.admit(33, Origin.REPLAYED)).isEqualTo(Admission.WITHHOLD_EXPECTED);
        assertThat(t.admit(66, Origin.REPLAYED)).isEqualTo(Admission.EMIT);
        assertThat(t.position.nextFrameIndex).isEqualTo(3);
    }

    @Test
    void guardedFramesAtOrBeforeTheLastAreWithheldAndCountedTheRestGoOut() {
        StreamTrack t = track();
        t.admit(100, Origin.LIVE);
        assertThat(t.admit(90, Origin.GUARDED)).as("a B-frame an idle drain overtook").isEqualTo(Admission.WITHHOLD_OVERTAKEN);
        assertThat(t.admit(100, Origin.GUARDED)).isEqualTo(Admission.WITHHOLD_OVERTAKEN);
        assertThat(t.admit(150, Origin.GUARDED)).isEqualTo(Admission.EMIT);
        assertThat(t.position.nextFrameIndex).isEqualTo(2);
    }

    @Test
    void liveFramesGoOutWhateverTheirPtsSoACameraRestartingItsClockLosesNothing() {
        StreamTrack t = track();
        t.admit(500, Origin.LIVE);
        assertThat(t.admit(0, Origin.LIVE)).isEqualTo(Admission.EMIT);
        assertThat(t.admit(0, Origin.LIVE)).isEqualTo(Admission.EMIT);
    }
}
