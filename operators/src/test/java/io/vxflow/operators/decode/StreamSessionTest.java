package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.decode.DecodeException;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import io.vxflow.gpu.decode.TestSps;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.operators.TestFrames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The worker-side state machine of one stream, on FFmpeg's software decoder and real encoded streams. */
class StreamSessionTest {
    private final AtomicInteger opened = new AtomicInteger();
    private final List<DecodeEvent> events = new ArrayList<>();
    private final Function<Codec, VideoDecoder> software = codec -> {
        opened.incrementAndGet();
        return new FfmpegSoftwareDecoder(codec, 1);
    };

    @AfterEach
    void releaseFrames() {
        for (DecodeEvent e : events) {
            if (e instanceof DecodeEvent.Frame f) {
                f.frame().release();
            }
        }
    }

    private StreamSession session() {
        return new StreamSession("cam", software, 4096, 2304);
    }

    private List<Long> framePts() {
        List<Long> pts = new ArrayList<>();
        for (DecodeEvent e : events) {
            if (e instanceof DecodeEvent.Frame f) {
                pts.add(f.frame().ptsMicros());
            }
        }
        return pts;
    }

    private long count(DecodeError reason) {
        return events.stream().filter(e -> e instanceof DecodeEvent.BadInput b && b.reason() == reason).count();
    }

    private static List<Long> ptsRange(int from, int to) {
        List<Long> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(SyntheticVideoEncoder.ptsMicros(i));
        }
        return out;
    }

    @Test
    void decodesAStreamWithBFramesInPresentationOrderAndDrainsWhatItHolds() {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 40);
        StreamSession s = session();
        for (AccessUnit u : units) {
            s.decode(u, 7, events);
        }
        assertThat(framePts().size()).as("B-frames held for reordering").isLessThan(40);
        s.drain(events);
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(0, 40));
        assertThat(s.state()).isEqualTo(StreamSession.State.DRAINED);
        assertThat(events).filteredOn(e -> e instanceof DecodeEvent.Frame).allSatisfy(e -> {
            DecodeEvent.Frame f = (DecodeEvent.Frame) e;
            assertThat(f.origin()).isEqualTo(DecodeEvent.Origin.LIVE);
            assertThat(f.engine()).isEqualTo("cpu");
        });
    }

    @Test
    void theDecoderOpensOnlyAtAKeyframeAndUnitsBeforeItAreCounted() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 40);
        StreamSession s = session();
        for (AccessUnit u : units.subList(1, 30)) { // frame 30 is the next IDR
            s.decode(u, 0, events);
        }
        assertThat(opened).as("no decoder for a stream that sent no keyframe").hasValue(0);
        assertThat(count(DecodeError.NO_KEYFRAME)).isEqualTo(29);
        for (AccessUnit u : units.subList(30, 40)) {
            s.decode(u, 0, events);
        }
        assertThat(opened).hasValue(1);
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(30, 40));
    }

    @Test
    void aUnitWithoutACodedSliceIsCountedBeforeAnyDecoderSeesIt() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 40);
        StreamSession s = session();
        for (int i = 0; i < 40; i++) {
            AccessUnit u = units.get(i);
            if (i == 9) {
                u = withData(u, new byte[] {0, 0}); // the fuzzer's find: FFmpeg takes it without an error and gives no picture
            }
            s.decode(u, 0, events);
        }
        assertThat(count(DecodeError.CORRUPT)).isEqualTo(1);
        assertThat(first(DecodeError.CORRUPT).detail()).isEqualTo("2 bytes at pts " + units.get(9).ptsMicros() + " hold no coded slice");
        List<Long> expected = ptsRange(0, 9);
        expected.addAll(ptsRange(30, 40));
        assertThat(framePts()).containsExactlyElementsOf(expected);
    }

    @Test
    void aDamagedUnitIsCountedAndTheStreamResumesAtTheNextKeyframe() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 40);
        StreamSession s = session();
        for (int i = 0; i < 40; i++) {
            AccessUnit u = units.get(i);
            if (i == 7) {
                u = new AccessUnit(u.codec(), u.ptsMicros(), false, new byte[] {0, 0, 0, 1, 0x41, 1, 2, 3});
            }
            s.decode(u, 0, events);
        }
        assertThat(count(DecodeError.CORRUPT)).isEqualTo(1);
        assertThat(count(DecodeError.NO_KEYFRAME)).isEqualTo(30 - 8);
        List<Long> expected = ptsRange(0, 7);
        expected.addAll(ptsRange(30, 40));
        assertThat(framePts()).containsExactlyElementsOf(expected);
    }

    /**
     * The fuzzer's find (the million-unit run, unit 218,366 of fuzz-2): a P-frame claiming to be a
     * keyframe while the stream waits for one resets the decoder, and FFmpeg, which hands out nothing
     * before a picture it can start at, takes it and the rest of its GOP without an error and without
     * a picture. Those units are counted as no-picture once the next GOP's first picture is out.
     */
    @Test
    void unitsTheDecoderTookSilentlyAfterAFalseKeyframeAreCountedWhenTheNextGopComesOut() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 40);
        StreamSession s = session();
        for (int i = 0; i < 40; i++) {
            AccessUnit u = units.get(i);
            if (i == 7) {
                u = new AccessUnit(u.codec(), u.ptsMicros(), false, new byte[] {0, 0, 0, 1, 0x41, 1, 2, 3});
            } else if (i == 12) {
                u = new AccessUnit(u.codec(), u.ptsMicros(), true, u.data()); // a P-frame that says it is a keyframe
            }
            s.decode(u, 0, events);
        }
        assertThat(count(DecodeError.CORRUPT)).isEqualTo(1);
        assertThat(count(DecodeError.NO_KEYFRAME)).isEqualTo(4);
        assertThat(count(DecodeError.NO_PICTURE)).isEqualTo(1);
        assertThat(first(DecodeError.NO_PICTURE).detail()).isEqualTo("18 access unit(s) gave no picture before the keyframe of the GOP whose "
                + "picture at pts " + units.get(30).ptsMicros() + " came out (pts " + units.get(12).ptsMicros() + " to " + units.get(29).ptsMicros() + ")");
        List<Long> expected = ptsRange(0, 7);
        expected.addAll(ptsRange(30, 40));
        assertThat(framePts()).containsExactlyElementsOf(expected);
    }

    @Test
    void aFalseKeyframeJustBeforeARealOneOfAStreamWithBFramesIsCountedToo() {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 45);
        int idr = 30;
        assertThat(units.get(idr).keyframe()).isTrue();
        StreamSession s = session();
        for (int i = 0; i < 45; i++) {
            AccessUnit u = units.get(i);
            if (i == 20) {
                u = new AccessUnit(u.codec(), u.ptsMicros(), false, new byte[] {0, 0, 0, 1, 0x41, 1, 2, 3});
            } else if (i == idr - 2) {
                u = new AccessUnit(u.codec(), u.ptsMicros(), true, u.data());
            }
            s.decode(u, 0, events);
        }
        s.drain(events);
        assertThat(count(DecodeError.NO_PICTURE)).isEqualTo(1);
        assertThat(first(DecodeError.NO_PICTURE).detail()).startsWith("2 access unit(s) gave no picture before the keyframe");
        assertThat(framePts()).containsSubsequence(ptsRange(30, 45));
        assertThat(framePts()).doesNotContain(units.get(idr - 2).ptsMicros(), units.get(idr - 1).ptsMicros());
    }

    @Test
    void unitsStillWithoutAPictureAfterADrainAreCounted() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 20);
        StreamSession s = session();
        for (int i = 0; i < 20; i++) {
            AccessUnit u = units.get(i);
            if (i == 5) {
                u = new AccessUnit(u.codec(), u.ptsMicros(), false, new byte[] {0, 0, 0, 1, 0x41, 1, 2, 3});
            } else if (i == 8) {
                u = new AccessUnit(u.codec(), u.ptsMicros(), true, u.data());
            }
            s.decode(u, 0, events);
        }
        s.drain(events);
        assertThat(first(DecodeError.NO_PICTURE).detail()).startsWith("12 access unit(s) gave no picture when the decoder was drained");
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(0, 5));
    }

    @Test
    void anInvalidRecordMakesTheStreamWaitForAKeyframe() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 35);
        StreamSession s = session();
        for (AccessUnit u : units.subList(0, 5)) {
            s.decode(u, 0, events);
        }
        s.invalid(events);
        for (AccessUnit u : units.subList(6, 35)) {
            s.decode(u, 0, events);
        }
        List<Long> expected = ptsRange(0, 5);
        expected.addAll(ptsRange(30, 35));
        assertThat(framePts()).containsExactlyElementsOf(expected);
    }

    @Test
    void aCodecChangeDrainsTheOldDecoderAndOpensTheNewOneAtAKeyframe() {
        List<AccessUnit> h264 = TestFrames.encode(Profile.HIGH_BFRAMES, 20);
        StreamSession s = session();
        h264.forEach(u -> s.decode(u, 0, events));
        long shift = SyntheticVideoEncoder.ptsMicros(20);
        List<Long> expected = ptsRange(0, 20);
        for (AccessUnit u : TestFrames.encode(Profile.HEVC_MAIN, 10)) {
            s.decode(new AccessUnit(u.codec(), u.ptsMicros() + shift, u.keyframe(), u.data()), 0, events);
            expected.add(u.ptsMicros() + shift);
        }
        s.drain(events);
        expected.sort(null);
        assertThat(count(DecodeError.CODEC_CHANGE)).isEqualTo(1);
        assertThat(opened).hasValue(2);
        assertThat(framePts()).containsExactlyElementsOf(expected);
    }

    @Test
    void replayedFramesAreMarkedAndItsBadInputIsNotCountedAgain() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 12);
        List<FrameRecord> records = new ArrayList<>();
        records.add(FrameRecord.valid("cam", units.get(5), 0)); // not a keyframe: passed over before the first
        for (AccessUnit u : units) {
            records.add(FrameRecord.valid("cam", u, 0));
        }
        StreamSession s = session();
        s.replay(records, events);
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(0, 12));
        assertThat(events).filteredOn(e -> e instanceof DecodeEvent.Frame)
                .allSatisfy(e -> assertThat(((DecodeEvent.Frame) e).origin()).isEqualTo(DecodeEvent.Origin.REPLAYED));
        assertThat(events).noneMatch(e -> e instanceof DecodeEvent.BadInput);
        assertThat(s.state()).isEqualTo(StreamSession.State.DECODING);
    }

    @Test
    void skippedUnitsOfAStreamWithBFramesComeOutInPresentationOrderWhenTheirGopEnds() {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 60); // IDR at 0 and 30
        StreamSession s = session();
        for (AccessUnit u : units.subList(0, 30)) {
            s.skip(u, 5, events);
        }
        List<Long> skipped = new ArrayList<>();
        for (AccessUnit u : units.subList(30, 60)) {
            s.decode(u, 5, events);
        }
        s.drain(events);
        for (DecodeEvent e : events) {
            if (e instanceof DecodeEvent.Skipped k) {
                skipped.add(k.pts());
            }
        }
        assertThat(skipped).containsExactlyElementsOf(ptsRange(0, 30));
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(30, 60));
        assertThat(opened).as("nothing was decoded before the second keyframe").hasValue(1);
    }

    /**
     * Overload at twice NVDEC's capacity switches hundreds of streams between skipping and decoding
     * every GOP; a flush there made FFmpeg set the NVDEC hwaccel up again each time. Going on at an IDR
     * needs no reset: every unit still gets exactly one event, in presentation order, the frames
     * decoded after each skip are the clean stream's pictures bit for bit, and nothing counts as bad input.
     */
    @ParameterizedTest
    @EnumSource(Profile.class)
    void aStreamThatSkipsGopsGoesOnAtTheNextIdrWithoutResettingItsDecoder(Profile profile) throws DecodeException {
        List<AccessUnit> units = TestFrames.encode(profile, 64); // IDR at 0, 30, 60
        Map<Long, Long> clean = new HashMap<>();
        try (FfmpegSoftwareDecoder d = new FfmpegSoftwareDecoder(profile.codec, 1)) {
            for (AccessUnit u : units) {
                d.decode(u, f -> { clean.put(f.ptsMicros(), FrameChecksum.of(f)); f.release(); });
            }
            d.drain(f -> { clean.put(f.ptsMicros(), FrameChecksum.of(f)); f.release(); });
        }
        Watched watched = new Watched();
        StreamSession s = new StreamSession("cam", codec -> watched.wrap(software.apply(codec)), 4096, 2304);
        for (int i = 0; i < units.size(); i++) {
            boolean skipGop = i / 30 == 1; // GOP 1 skipped
            if (skipGop) {
                s.skip(units.get(i), i, events);
            } else {
                s.decode(units.get(i), i, events);
            }
        }
        s.drain(events);
        List<Long> order = new ArrayList<>();
        for (DecodeEvent e : events) {
            if (e instanceof DecodeEvent.Frame f) {
                order.add(f.frame().ptsMicros());
                assertThat(FrameChecksum.of(f.frame())).as("picture at pts %d", f.frame().ptsMicros()).isEqualTo(clean.get(f.frame().ptsMicros()));
            } else if (e instanceof DecodeEvent.Skipped k) {
                order.add(k.pts());
            }
        }
        assertThat(order).as("one event per unit, in presentation order").containsExactlyElementsOf(ptsRange(0, 64));
        assertThat(events).noneMatch(e -> e instanceof DecodeEvent.BadInput);
        assertThat(framePts()).as("the decoded GOPs' frames, less those held for reordering when the skipping began")
                .containsAll(ptsRange(0, 20)).containsAll(ptsRange(60, 64)).doesNotContainAnyElementsOf(ptsRange(30, 60));
        assertThat(watched.resets).as("decoder resets").hasValue(0);
        assertThat(s.resumedWithoutReset()).isEqualTo(1);
        assertThat(opened).hasValue(1);
        releaseFrames();
        assertThat(watched.released).as("every picture the decoder gave, the given-up ones included, released").hasValue(watched.out.get());
    }

    /** Skipping that began with the decoder damaged (waiting for a keyframe) resets it at the next IDR, as before. */
    @Test
    void skippingThatBeganAfterDamageResetsTheDecoderAtTheNextIdr() throws DecodeException {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 64);
        Watched watched = new Watched();
        watched.damageAt = 10; // FFmpeg reports damage on the 10th unit: the stream waits for its next keyframe
        StreamSession s = new StreamSession("cam", codec -> watched.wrap(software.apply(codec)), 4096, 2304);
        units.subList(0, 30).forEach(u -> s.decode(u, 0, events));
        units.subList(30, 60).forEach(u -> s.skip(u, 0, events));
        units.subList(60, 64).forEach(u -> s.decode(u, 0, events));
        s.drain(events);
        assertThat(watched.resets).as("the damaged decoder reset at the IDR").hasValue(1);
        assertThat(s.resumedWithoutReset()).isZero();
        assertThat(framePts()).containsAll(ptsRange(60, 64));
    }

    /** Held units ingested after the late keyframe (a producer's own timestamps) may be on time: they are drained and analysed. */
    @Test
    void heldUnitsIngestedAfterTheLateKeyframeAreDrainedNotSkipped() throws DecodeException {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 64);
        Watched watched = new Watched();
        StreamSession s = new StreamSession("cam", codec -> watched.wrap(software.apply(codec)), 4096, 2304);
        units.subList(0, 30).forEach(u -> s.decode(u, 1_000, events));
        units.subList(30, 60).forEach(u -> s.skip(u, 500, events));
        units.subList(60, 64).forEach(u -> s.decode(u, 2_000, events));
        s.drain(events);
        assertThat(framePts()).as("GOP 0 whole, held frames drained").containsAll(ptsRange(0, 30)).containsAll(ptsRange(60, 64));
        assertThat(watched.resets).as("drained, so reset at the IDR").hasValue(1);
        assertThat(s.resumedWithoutReset()).isZero();
    }

    /** A real decoder that counts its resets and the pictures it gives and that are released, and can report damage once. */
    private static final class Watched {
        final AtomicInteger resets = new AtomicInteger();
        final AtomicInteger out = new AtomicInteger();
        final AtomicInteger released = new AtomicInteger();
        int damageAt;
        int units;

        VideoDecoder wrap(VideoDecoder real) {
            return new ForwardingDecoder(real) {
                @Override
                public void decode(AccessUnit unit, Consumer<DecodedFrame> sink) throws DecodeException {
                    if (++units == damageAt) {
                        throw new DecodeException(DecodeError.CORRUPT, "damage reported by the test double");
                    }
                    super.decode(unit, f -> sink.accept(counted(f)));
                }

                @Override
                public void drain(Consumer<DecodedFrame> sink) throws DecodeException {
                    super.drain(f -> sink.accept(counted(f)));
                }

                @Override
                public void reset() {
                    resets.incrementAndGet();
                    super.reset();
                }
            };
        }

        private DecodedFrame counted(DecodedFrame f) {
            out.incrementAndGet();
            return new DecodedFrame() {
                private boolean done;

                @Override
                public long ptsMicros() {
                    return f.ptsMicros();
                }

                @Override
                public io.vxflow.gpu.image.ColorSpec colorSpec() {
                    return f.colorSpec();
                }

                @Override
                public io.vxflow.gpu.image.Image image() {
                    return f.image();
                }

                @Override
                public void release() {
                    if (!done) {
                        done = true;
                        released.incrementAndGet();
                        f.release();
                    }
                }

                @Override
                public boolean isReleased() {
                    return done;
                }
            };
        }
    }

    @Test
    void skippingHandsOutHeldFramesFirstAndReportsSkippedUnitsOfABaselineStreamAtOnce() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 40);
        StreamSession s = session();
        units.subList(0, 10).forEach(u -> s.decode(u, 0, events));
        int before = events.size();
        s.skip(units.get(10), 0, events);
        assertThat(events.subList(before, events.size())).last().isInstanceOf(DecodeEvent.Skipped.class);
    }

    @Test
    void aDrainedStreamGoingOnMidGopReplaysItsGopThenGuardsOrderUntilTheNextGop() {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 45); // IDR at 0 and 30
        List<FrameRecord> gop = new ArrayList<>();
        units.subList(0, 20).forEach(u -> gop.add(FrameRecord.valid("cam", u, 0)));
        StreamSession s = session();
        units.subList(0, 20).forEach(u -> s.decode(u, 0, events));
        s.drain(events);
        int afterDrain = events.size();
        int[] reads = {0};
        for (AccessUnit u : units.subList(20, 45)) {
            s.decode(u, 0, () -> {
                reads[0]++;
                return new GopReplay.Result(gop, null);
            }, events);
        }
        s.drain(events);
        assertThat(reads[0]).as("the GOP is read back once, for the first unit after the drain").isEqualTo(1);
        List<DecodeEvent.Origin> origins = new ArrayList<>();
        List<Long> pts = new ArrayList<>();
        for (DecodeEvent e : events.subList(afterDrain, events.size())) {
            if (e instanceof DecodeEvent.Frame f) {
                origins.add(f.origin());
                pts.add(f.frame().ptsMicros());
            }
        }
        assertThat(origins).first().isEqualTo(DecodeEvent.Origin.REPLAYED);
        assertThat(origins).contains(DecodeEvent.Origin.GUARDED);
        assertThat(origins).last().as("after the GOP that began after the replay").isEqualTo(DecodeEvent.Origin.LIVE);
        assertThat(pts.get(pts.size() - 1)).isEqualTo(SyntheticVideoEncoder.ptsMicros(44));
        assertThat(count(DecodeError.NO_KEYFRAME)).isZero();
    }

    @Test
    void aDrainedStreamWhoseGopCannotBeReadAgainWaitsForItsNextKeyframe() {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 45);
        StreamSession s = session();
        units.subList(0, 20).forEach(u -> s.decode(u, 0, events));
        s.drain(events);
        units.subList(20, 45).forEach(u -> s.decode(u, 0, () -> GopReplay.Result.missing("retention"), events));
        assertThat(count(DecodeError.REPLAY_UNAVAILABLE)).isEqualTo(1);
        assertThat(count(DecodeError.NO_KEYFRAME)).isEqualTo(10);
    }

    @Test
    void aDecoderThatCannotOpenIsBadInputOfThatStreamOnly() {
        StreamSession s = new StreamSession("cam", codec -> {
            throw new IllegalStateException("no NVDEC session left");
        }, 4096, 2304);
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 2);
        s.decode(units.get(0), 0, events);
        assertThat(count(DecodeError.DECODER_FAILURE)).isEqualTo(1);
        assertThat(s.state()).isEqualTo(StreamSession.State.AWAITING_KEYFRAME);
    }

    @Test
    void framesLargerThanTheLimitAreDroppedAndCounted() {
        StreamSession s = new StreamSession("cam", software, 640, 360);
        for (AccessUnit u : TestFrames.encode(Profile.BASELINE, 3)) {
            s.decode(u, 0, events);
        }
        assertThat(framePts()).isEmpty();
        assertThat(count(DecodeError.TOO_LARGE)).isEqualTo(1);
    }

    private StreamSession session(DecodeLimits limits) {
        return new StreamSession("cam", software, 4096, 2304, limits);
    }

    private static AccessUnit withData(AccessUnit u, byte[] data) {
        return new AccessUnit(u.codec(), u.ptsMicros(), u.keyframe(), data);
    }

    private DecodeEvent.BadInput first(DecodeError reason) {
        return events.stream().filter(e -> e instanceof DecodeEvent.BadInput b && b.reason() == reason).map(e -> (DecodeEvent.BadInput) e)
                .findFirst().orElseThrow();
    }

    @Test
    void aKeyframeWhoseSpsClaimsTooManyPixelsNeverReachesADecoder() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 40);
        StreamSession s = session();
        byte[] lie = TestSps.withSps(Codec.H264, units.get(0).data(), TestSps.H264.of(16, 16).sized(1023, 1023, null).nal());
        s.decode(withData(units.get(0), lie), 0, events);
        assertThat(opened).as("no decoder saw the lie").hasValue(0);
        assertThat(first(DecodeError.TOO_LARGE).detail()).isEqualTo("the SPS claims 16384x16384, more than vxflow.decode.max-pixels 9437184");
        units.subList(1, 40).forEach(u -> s.decode(u, 0, events));
        assertThat(count(DecodeError.NO_KEYFRAME)).isEqualTo(29);
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(30, 40));
        assertThat(opened).hasValue(1);
    }

    @Test
    void aPictureWhoseShapeLetterboxesToNothingIsRefusedBeforeADecoderSeesIt() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 31);
        StreamSession s = session();
        byte[] flat = TestSps.withSps(Codec.H264, units.get(0).data(), TestSps.H264.of(16, 16).sized(255, 0, new long[] {0, 0, 0, 7}).nal());
        s.decode(withData(units.get(0), flat), 0, events);
        assertThat(first(DecodeError.UNSUPPORTED_FORMAT).detail())
                .isEqualTo("the SPS claims 4096x16 (4096x2 shown), a shape that fills 640x0 pixels of the model's 640x640 input");
        assertThat(opened).hasValue(0);
        units.subList(1, 31).forEach(u -> s.decode(u, 0, events));
        assertThat(framePts()).containsExactly(SyntheticVideoEncoder.ptsMicros(30));
    }

    @Test
    void theConfiguredMaxPixelsRefusesARealStreamAboveIt() {
        StreamSession s = session(new DecodeLimits(1280L * 720, 8 << 20, 256));
        TestFrames.encode(Profile.BASELINE, 40).forEach(u -> s.decode(u, 0, events));
        assertThat(count(DecodeError.TOO_LARGE)).as("both keyframes").isEqualTo(2);
        assertThat(first(DecodeError.TOO_LARGE).detail()).isEqualTo("the SPS claims 1920x1088 (1920x1080 shown), more than vxflow.decode.max-pixels 921600");
        assertThat(opened).hasValue(0);
        assertThat(framePts()).isEmpty();
    }

    @Test
    void parameterSetsThatCannotBeReadOpenNoDecoderAndAKeyframeWithoutThemNeedsAnOpenOne() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 100); // keyframes at 0, 30, 60, 90
        StreamSession s = session();
        for (int i = 0; i < 100; i++) {
            AccessUnit u = units.get(i);
            if (i == 0) {
                u = withData(u, TestSps.withSps(Codec.H264, u.data(), new byte[] {0x67, 0x42}));
            } else if (i == 30 || i == 90) {
                u = withData(u, TestSps.without(Codec.H264, u.data(), 7, 8));
            }
            s.decode(u, 0, events);
        }
        assertThat(first(DecodeError.BAD_PARAMETER_SETS).detail()).isEqualTo("h264 SPS: it ends early (truncated)");
        assertThat(count(DecodeError.BAD_PARAMETER_SETS)).as("at 0 an unreadable SPS, at 30 none while no decoder holds one").isEqualTo(2);
        assertThat(opened).hasValue(1);
        assertThat(framePts()).as("the decoder opened at 60 keeps its parameter sets for the keyframe at 90").containsExactlyElementsOf(ptsRange(60, 100));
    }

    @Test
    void anAccessUnitOverTheSizeLimitIsDroppedUnread() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 40);
        int largest = units.stream().mapToInt(u -> u.data().length).max().orElseThrow();
        StreamSession s = session(new DecodeLimits(DecodeLimits.DEFAULTS.maxPixels(), largest, 256));
        for (int i = 0; i < 40; i++) {
            AccessUnit u = units.get(i);
            s.decode(i == 5 ? withData(u, java.util.Arrays.copyOf(u.data(), largest + 1)) : u, 0, events); // padded with trailing zeros
        }
        assertThat(first(DecodeError.ACCESS_UNIT_TOO_LARGE).detail()).isEqualTo((largest + 1) + " bytes, more than vxflow.decode.max-access-unit-bytes " + largest);
        List<Long> expected = ptsRange(0, 5);
        expected.addAll(ptsRange(30, 40));
        assertThat(framePts()).containsExactlyElementsOf(expected);
    }

    @Test
    void aDecoderThatFailsBeforeItsFirstFrameIsClosedAndOneThatDecodedStaysOpen() {
        List<AccessUnit> units = TestFrames.encode(Profile.BASELINE, 60);
        StreamSession s = session();
        s.decode(withData(units.get(0), garbageAfter(units.get(0).data(), 40)), 0, events); // real SPS and PPS, garbage slice
        assertThat(count(DecodeError.CORRUPT)).isEqualTo(1);
        assertThat(opened).hasValue(1);
        assertThat(s.decoderOpen()).as("closed: it never produced a frame").isFalse();
        assertThat(s.holdsNothing()).isTrue();
        units.subList(1, 35).forEach(u -> s.decode(u, 0, events));
        s.decode(withData(units.get(35), garbageAfter(units.get(35).data(), 6)), 0, events);
        assertThat(count(DecodeError.CORRUPT)).isEqualTo(2);
        assertThat(s.decoderOpen()).as("kept: it decoded frames 30..34").isTrue();
        units.subList(36, 60).forEach(u -> s.decode(u, 0, events));
        assertThat(opened).hasValue(2);
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(30, 35));
    }

    @Test
    void aDecoderThatThrowsIsCountedClosedAndReplacedAtTheNextKeyframe() {
        List<StreamSession> made = new ArrayList<>();
        StreamSession s = new StreamSession("cam", codec -> {
            opened.incrementAndGet();
            return new ThrowingDecoder(new FfmpegSoftwareDecoder(codec, 1), opened.get() == 1 ? 5 : Integer.MAX_VALUE);
        }, 4096, 2304);
        made.add(s);
        TestFrames.encode(Profile.BASELINE, 40).forEach(u -> s.decode(u, 0, events));
        assertThat(first(DecodeError.DECODER_FAILURE).detail()).isEqualTo("decoder bug: index out of range in the test double");
        assertThat(count(DecodeError.NO_KEYFRAME)).isEqualTo(25);
        assertThat(opened).as("a new decoder at the next keyframe").hasValue(2);
        List<Long> expected = ptsRange(0, 4);
        expected.addAll(ptsRange(30, 40));
        assertThat(framePts()).containsExactlyElementsOf(expected);
        assertThat(s.state()).isEqualTo(StreamSession.State.DECODING);
    }

    /** {@code data} with every byte from {@code from} on flipped. */
    private static byte[] garbageAfter(byte[] data, int from) {
        byte[] g = data.clone();
        for (int i = from; i < g.length; i++) {
            g[i] ^= (byte) 0x5A;
        }
        return g;
    }

    @Test
    void closingDrainsAndThenRefusesWork() {
        List<AccessUnit> units = TestFrames.encode(Profile.HIGH_BFRAMES, 20);
        StreamSession s = session();
        units.forEach(u -> s.decode(u, 0, events));
        s.close(events);
        s.close(events);
        assertThat(framePts()).containsExactlyElementsOf(ptsRange(0, 20));
        assertThat(s.state()).isEqualTo(StreamSession.State.CLOSED);
    }
}
