package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.DecodeError;
import io.vxflow.operators.decode.AccessUnitMutator.Kind;
import io.vxflow.operators.decode.FuzzLedger.Outcome;
import org.junit.jupiter.api.Test;

/** The fuzzer's accounting: which outcome each kind of evidence gives a unit. */
class FuzzLedgerTest {
    private static FuzzStream.Unit unit(Kind kind, long pts) {
        return new FuzzStream.Unit("s", new AccessUnitMutator.Wire(kind, new byte[1], "h264", Long.toString(pts), "0"), 0, 0, pts);
    }

    private static long[] bad(DecodeError e) {
        long[] b = new long[DecodeError.values().length];
        b[e.ordinal()] = 1;
        return b;
    }

    @Test
    void aFrameWithTheUnitsPtsDecodesItIntactOrDamagedByChecksum() {
        FuzzLedger l = new FuzzLedger();
        l.fed(0, unit(Kind.NONE, 100), 100L, 7);
        l.fed(1, unit(Kind.BIT_FLIP, 200), 200L, 8);
        assertThat(l.frame("s", 100, 7)).isTrue();
        assertThat(l.frame("s", 200, 9)).isTrue();
        l.finish();
        assertThat(l.count(Kind.NONE, Outcome.DECODED_INTACT)).isEqualTo(1);
        assertThat(l.count(Kind.BIT_FLIP, Outcome.DECODED_DAMAGED)).isEqualTo(1);
    }

    @Test
    void aFailureThrowsAwayWhatTheDecoderHeldAndALaterFrameOfThoseIsStale() {
        FuzzLedger l = new FuzzLedger();
        l.fed(0, unit(Kind.NONE, 100), 100L, 7); // held for reordering
        l.fed(1, unit(Kind.TRUNCATE, 200), 200L, 8);
        l.counted("s", bad(DecodeError.CORRUPT));
        l.fed(2, unit(Kind.NONE, 300), 300L, 9);
        l.counted("s", bad(DecodeError.NO_KEYFRAME));
        assertThat(l.frame("s", 100, 7)).as("a picture the restart should have dropped").isFalse();
        l.finish();
        assertThat(l.count(Kind.NONE, Outcome.LOST_AT_RESTART)).isEqualTo(1);
        assertThat(l.count(Kind.TRUNCATE, Outcome.COUNTED)).isEqualTo(1);
        assertThat(l.count(Kind.NONE, Outcome.COUNTED)).isEqualTo(1);
        assertThat(l.staleFrames()).isEqualTo(1);
        assertThat(l.extraFrames()).isZero();
        assertThat(l.countedByReason()).containsEntry(DecodeError.CORRUPT, 1L).containsEntry(DecodeError.NO_KEYFRAME, 1L);
    }

    @Test
    void aUnitWithoutFrameCountOrLaterFailureIsUnaccounted() {
        FuzzLedger l = new FuzzLedger();
        l.fed(0, unit(Kind.GARBAGE, 100), 100L, 7);
        for (int i = 1; i <= FuzzLedger.WINDOW; i++) {
            l.fed(i, unit(Kind.NONE, 100 + i), 100L + i, 7);
            l.frame("s", 100 + i, 7);
        }
        assertThat(l.count(Kind.GARBAGE, Outcome.UNACCOUNTED)).as("final once it left the window").isEqualTo(1);
        assertThat(l.unaccountedSamples()).singleElement().asString().contains("GARBAGE");
    }

    @Test
    void aResolutionChangeGoesOnDecodingAndAFrameOfNoUnitIsExtra() {
        FuzzLedger l = new FuzzLedger();
        l.fed(0, unit(Kind.NONE, 100), 100L, 7);
        l.fed(1, unit(Kind.SPLICE, 200), 200L, 8);
        l.counted("s", bad(DecodeError.RESOLUTION_CHANGE));
        assertThat(l.frame("s", 100, 7)).as("not thrown away by a resolution change").isTrue();
        assertThat(l.frame("s", 200, 1)).isTrue();
        assertThat(l.frame("s", 999, 1)).isFalse();
        l.finish();
        assertThat(l.count(Kind.SPLICE, Outcome.DECODED_DAMAGED)).isEqualTo(1);
        assertThat(l.countedWithFrame()).isEqualTo(1);
        assertThat(l.extraFrames()).isEqualTo(1);
    }

    @Test
    void repeatedPtsGoToTheUnitsInTurn() {
        FuzzLedger l = new FuzzLedger();
        l.fed(0, unit(Kind.NONE, 100), 100L, 7);
        l.fed(1, unit(Kind.REPEAT, 100), 100L, 7);
        l.frame("s", 100, 7);
        l.frame("s", 100, 7);
        l.finish();
        assertThat(l.count(Kind.NONE, Outcome.DECODED_INTACT)).isEqualTo(1);
        assertThat(l.count(Kind.REPEAT, Outcome.DECODED_INTACT)).isEqualTo(1);
    }

    @Test
    void aNoPictureCountAccountsForTheUnitsWithoutAFrameBeforeTheGopWhosePictureCameOut() {
        FuzzLedger l = new FuzzLedger();
        l.fed(0, unit(Kind.NONE, 100), 100L, 7);
        l.frame("s", 100, 7);
        l.fed(1, unit(Kind.BIT_FLIP, 200), 200L, 8);
        l.counted("s", bad(DecodeError.CORRUPT));
        l.fed(2, unit(Kind.LYING_KEY, 300), 300L, 9); // reset the decoder, which then took it and the next without a picture
        l.fed(3, unit(Kind.NONE, 400), 400L, 9);
        assertThat(l.frame("s", 400, 9)).as("a P-only stream: decoded against the false start").isTrue();
        l.fed(4, unit(Kind.NONE, 500), 500L, 9);
        l.fed(5, unit(Kind.NONE, 600), 600L, 9, true); // the real keyframe, its picture held back
        l.fed(6, unit(Kind.LYING_KEY, 700), 700L, 9);
        l.fed(7, unit(Kind.NONE, 800), 800L, 9, true); // the next one: now the picture of 600 comes out
        assertThat(l.frame("s", 600, 9)).isTrue();
        l.counted("s", bad(DecodeError.NO_PICTURE));
        assertThat(l.frame("s", 700, 9)).as("after the GOP's start: not among them").isTrue();
        assertThat(l.frame("s", 800, 9)).isTrue();
        assertThat(l.frame("s", 300, 9)).as("a picture of a unit counted as without one").isFalse();
        l.finish();
        assertThat(l.count(Kind.LYING_KEY, Outcome.LOST_AT_RESTART)).isEqualTo(1);
        assertThat(l.count(Kind.NONE, Outcome.LOST_AT_RESTART)).isEqualTo(1);
        assertThat(l.count(Kind.NONE, Outcome.DECODED_INTACT)).isEqualTo(4);
        assertThat(l.count(Kind.LYING_KEY, Outcome.DECODED_INTACT)).isEqualTo(1);
        assertThat(l.count(Kind.BIT_FLIP, Outcome.COUNTED)).isEqualTo(1);
        assertThat(l.countedWithFrame()).isZero();
        assertThat(l.noPictureUnits()).isEqualTo(2);
        assertThat(l.staleFrames()).isEqualTo(1);
    }

    @Test
    void aFailureCountedWithACodecChangeMayBeTheOldDecodersDrainSoTheNewUnitsFrameIsItsOwn() {
        FuzzLedger l = new FuzzLedger();
        l.fed(0, unit(Kind.BIT_FLIP, 100), 100L, 7); // h264, held, its picture damaged: the drain fails on it
        l.fed(1, unit(Kind.NONE, 200), 200L, 8, true); // an HEVC keyframe: the old decoder is drained first
        long[] b = bad(DecodeError.CORRUPT);
        b[DecodeError.CODEC_CHANGE.ordinal()] = 1;
        l.counted("s", b);
        assertThat(l.frame("s", 200, 8)).as("the new decoder's picture of the keyframe").isTrue();
        l.finish();
        assertThat(l.count(Kind.BIT_FLIP, Outcome.LOST_AT_RESTART)).isEqualTo(1);
        assertThat(l.count(Kind.NONE, Outcome.DECODED_INTACT)).isEqualTo(1);
        assertThat(l.staleFrames()).isZero();
    }
}
