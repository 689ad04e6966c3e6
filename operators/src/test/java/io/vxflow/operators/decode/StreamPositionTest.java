package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The replay range a position keeps: which keyframe a restored decoder starts from. */
class StreamPositionTest {
    @Test
    void aNewStreamReplaysFromItsFirstKeyframeToItsLastRecord() {
        StreamPosition p = new StreamPosition();
        assertThat(p.canReplay()).isFalse();
        p.received(0, 10, true, 0, 0);
        p.received(0, 12, false, 33, 0);
        assertThat(p.canReplay()).isTrue();
        assertThat(p.replayFrom()).isEqualTo(10);
        assertThat(p.lastOffset).isEqualTo(12);
    }

    @Test
    void theGopBeforeIsKeptUntilAFrameOfTheNewGopIsOut() {
        StreamPosition p = new StreamPosition();
        p.received(0, 10, true, 1000, 0);
        p.emitted(1000);
        p.received(0, 20, true, 2000, 0); // B-frames of the first GOP may still be inside the decoder
        p.emitted(1900);
        assertThat(p.replayFrom()).as("frames before pts 2000 can still come").isEqualTo(10);
        p.emitted(2000);
        assertThat(p.replayFrom()).as("presentation order: nothing of the first GOP follows").isEqualTo(20);
        assertThat(p.keyframes).isEqualTo(1);
        assertThat(p.nextFrameIndex).isEqualTo(3);
    }

    @Test
    void keyframesPileUpOnlyToTheLimitDroppingTheOldest() {
        StreamPosition p = new StreamPosition();
        for (int i = 0; i < 10; i++) {
            p.received(1, 100 + i, true, 1000L * i, 0);
        }
        assertThat(p.keyframes).isEqualTo(StreamPosition.MAX_KEYFRAMES);
        assertThat(p.replayFrom()).isEqualTo(100 + 10 - StreamPosition.MAX_KEYFRAMES);
    }

    @Test
    void recordsWithoutOffsetsLeaveNothingToReplay() {
        StreamPosition p = new StreamPosition();
        p.received(-1, -1, true, 0, 0);
        assertThat(p.canReplay()).isFalse();
        assertThat(p.partition).isEqualTo(-1);
    }

    @Test
    void aStreamThatMovesToAnotherPartitionForgetsOffsetsOfTheOld() {
        StreamPosition p = new StreamPosition();
        p.received(0, 10, true, 0, 0);
        p.received(3, 5, false, 33, 0);
        assertThat(p.partition).isEqualTo(3);
        assertThat(p.canReplay()).isFalse();
        p.received(3, 6, true, 66, 0);
        assertThat(p.replayFrom()).isEqualTo(6);
    }
}
