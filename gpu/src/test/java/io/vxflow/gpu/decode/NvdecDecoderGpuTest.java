package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.bytedeco.cuda.global.cudart.CU_CTX_SCHED_BLOCKING_SYNC;
import static org.bytedeco.cuda.global.cudart.cuDevicePrimaryCtxGetState;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P10LE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV422P;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.codec.DecodeError;
import io.vxflow.gpu.cuda.Cuda;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.MemoryStats;
import io.vxflow.gpu.image.PixelFormat;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.gpu.testing.GpuTest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * NVDEC decoding on GPU 0, held against FFmpeg's software decoder: H.264 and HEVC decoding is
 * bit-exact, so every NVDEC (or uploaded fallback) frame must equal the CPU's sample for sample, in
 * the same presentation order. One slot ({@link GpuContext} and {@link NvdecDevice}) serves the whole
 * class, as it serves all streams of a task slot.
 */
@GpuTest
class NvdecDecoderGpuTest {
    private static final int FRAMES = 60;
    private static final long MIB = 1024 * 1024;
    /** A non-IDR slice NAL whose slice_type (15) is out of range: FFmpeg rejects it while parsing. */
    private static final byte[] BAD_SLICE = {0, 0, 0, 1, 0x41, (byte) 0x84, 0x3F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    private static final Map<Profile, List<AccessUnit>> STREAMS = new EnumMap<>(Profile.class);
    private static final Map<Profile, List<Long>> REFERENCE_DIGESTS = new EnumMap<>(Profile.class);
    private static GpuContext gpu;
    private static NvdecDevice device;

    @BeforeAll
    static void openSlot() {
        gpu = GpuContext.open(0);
        device = new NvdecDevice(gpu);
    }

    @AfterAll
    static void closeSlot() {
        if (device != null) {
            device.close();
        }
        if (gpu != null) {
            gpu.close();
        }
    }

    @Test
    void ffmpegDecodesOnTheSlotsPrimaryContextAndCopiesOnItsStream() {
        assertThat(device.ffmpegContextHandle()).isEqualTo(gpu.context().address());
        assertThat(device.ffmpegStreamHandle()).isEqualTo(gpu.streamHandle());
        int[] flags = new int[1];
        int[] active = new int[1];
        Cuda.check(cuDevicePrimaryCtxGetState(gpu.device().handle(), flags, active), "cuDevicePrimaryCtxGetState");
        assertThat(active[0]).isEqualTo(1);
        assertThat(flags[0]).isEqualTo(CU_CTX_SCHED_BLOCKING_SYNC);
    }

    @ParameterizedTest
    @EnumSource(Profile.class)
    void nvdecFramesAreBitExactWithTheSoftwareDecoder(Profile profile) throws Exception {
        assumeTrue(profile.isAvailable(), profile.encoder + " is not in this FFmpeg build (the GPL build must be on the test class path)");
        try (NvdecDecoder nvdec = new NvdecDecoder(device, profile.codec, 4)) {
            List<Seen> seen = compareWithSoftware(nvdec, stream(profile), 0);
            assertThat(nvdec.engine()).isEqualTo(NvdecDecoder.NVDEC);
            assertThat(seen).allSatisfy(s -> assertThat(s.format).isEqualTo(PixelFormat.NV12));
            assertPresentationOrder(seen, FRAMES);
        }
    }

    @Test
    void holdingExtraFramesKeepsThemIntactAndDoesNotStallDecoding() throws Exception {
        Profile profile = bframes();
        int extra = 8;
        try (NvdecDecoder nvdec = new NvdecDecoder(device, profile.codec, extra)) {
            // every frame stays leased while the next 8 are decoded, and is read back only at release
            List<Seen> seen = compareWithSoftware(nvdec, stream(profile), extra);
            assertThat(nvdec.engine()).isEqualTo(NvdecDecoder.NVDEC);
            assertPresentationOrder(seen, FRAMES);
        }
    }

    @Test
    void eightStreamsInOneSlotDecodedInterleavedEachGetEveryFrame() throws Exception {
        int streams = 8;
        Profile[] profiles = new Profile[streams];
        List<NvdecDecoder> decoders = new ArrayList<>();
        List<List<Long>> digests = new ArrayList<>();
        try {
            for (int s = 0; s < streams; s++) {
                profiles[s] = s % 2 == 0 ? Profile.BASELINE : bframes();
                decoders.add(new NvdecDecoder(device, profiles[s].codec, 2));
                digests.add(new ArrayList<>());
            }
            // stream s starts s access units late, so the sessions are at different points of their GOPs
            for (int round = 0; round < FRAMES + streams; round++) {
                for (int s = 0; s < streams; s++) {
                    int i = round - s;
                    if (i >= 0 && i < stream(profiles[s]).size()) {
                        decoders.get(s).decode(stream(profiles[s]).get(i), digestInto(digests.get(s)));
                    }
                }
            }
            for (int s = 0; s < streams; s++) {
                decoders.get(s).drain(digestInto(digests.get(s)));
                assertThat(decoders.get(s).engine()).as("stream %d", s).isEqualTo(NvdecDecoder.NVDEC);
            }
        } finally {
            decoders.forEach(NvdecDecoder::close);
        }
        for (int s = 0; s < streams; s++) {
            assertThat(digests.get(s)).as("stream %d (%s)", s, profiles[s]).isEqualTo(referenceDigests(profiles[s]));
        }
    }

    @Test
    void corruptAccessUnitFailsOnlyItsOwnStream() throws Exception {
        List<AccessUnit> units = stream(Profile.BASELINE);
        List<Long> broken = new ArrayList<>();
        List<Long> healthy = new ArrayList<>();
        try (NvdecDecoder brokenDecoder = new NvdecDecoder(device, Codec.H264, 2);
                NvdecDecoder healthyDecoder = new NvdecDecoder(device, Codec.H264, 2)) {
            for (int i = 0; i < units.size(); i++) {
                if (i == 10) {
                    AccessUnit bad = new AccessUnit(Codec.H264, units.get(i).ptsMicros(), false, BAD_SLICE);
                    assertThatThrownBy(() -> brokenDecoder.decode(bad, f -> fail("a frame came out of a corrupt access unit")))
                            .isInstanceOf(DecodeException.class)
                            .satisfies(e -> assertThat(((DecodeException) e).error()).isEqualTo(DecodeError.CORRUPT));
                }
                brokenDecoder.decode(units.get(i), digestInto(broken));
                healthyDecoder.decode(units.get(i), digestInto(healthy));
            }
            brokenDecoder.drain(digestInto(broken));
            healthyDecoder.drain(digestInto(healthy));
            assertThat(healthyDecoder.engine()).isEqualTo(NvdecDecoder.NVDEC);
            assertThat(brokenDecoder.engine()).isEqualTo(NvdecDecoder.NVDEC);
        }
        assertThat(healthy).as("the other stream's frames").isEqualTo(referenceDigests(Profile.BASELINE));
        // the rejected slice header left no state behind, as with FFmpeg's software decoder
        assertThat(broken).as("the broken stream after the corrupt unit").isEqualTo(referenceDigests(Profile.BASELINE));
    }

    @Test
    void deviceMemoryStaysFlatOverAThousandFramesReleasedPromptly() throws Exception {
        List<AccessUnit> clip = stream(Profile.BASELINE); // keyframes at 0 and 30: the clip can loop
        long clipMicros = SyntheticVideoEncoder.ptsMicros(FRAMES);
        int cycles = 17;
        int[] frames = {0};
        List<Long> freeBytes = new ArrayList<>();
        try (NvdecDecoder nvdec = new NvdecDecoder(device, Codec.H264, 4)) {
            for (int c = 0; c < cycles; c++) {
                for (AccessUnit u : clip) {
                    AccessUnit later = new AccessUnit(u.codec(), u.ptsMicros() + c * clipMicros, u.keyframe(), u.data());
                    nvdec.decode(later, f -> {
                        frames[0]++;
                        f.release();
                    });
                    if (frames[0] >= 100 * (freeBytes.size() + 1)) {
                        freeBytes.add(gpu.memoryInfo()[0]);
                    }
                }
            }
            nvdec.drain(f -> {
                frames[0]++;
                f.release();
            });
        }
        assertThat(frames[0]).isEqualTo(cycles * FRAMES);
        long afterWarmUp = freeBytes.get(1); // after 200 frames
        long lowest = freeBytes.subList(1, freeBytes.size()).stream().mapToLong(Long::longValue).min().orElseThrow();
        assertThat(afterWarmUp - lowest).as("device memory taken after warm-up; free bytes every 100 frames: %s", freeBytes)
                .isLessThanOrEqualTo(8 * MIB);
    }

    @Test
    void fallbackUploadsEachFrameOnceIntoAPoolAllocatedOnce() throws Exception {
        Profile profile = bframes();
        int extra = 4;
        MemoryStats stats = gpu.stats();
        long copies = stats.hostToDeviceCopies();
        long allocations = stats.deviceAllocations();
        long frees = stats.deviceFrees();
        long pinned = stats.pinnedAllocations();
        try (NvdecDecoder fallback = new NvdecDecoder(device, profile.codec, extra, false)) {
            List<Seen> seen = compareWithSoftware(fallback, stream(profile), extra);
            assertThat(fallback.engine()).isEqualTo(NvdecDecoder.CPU_FALLBACK);
            assertThat(seen).allSatisfy(s -> assertThat(s.format).isEqualTo(PixelFormat.I420));
            assertPresentationOrder(seen, FRAMES);
        }
        assertThat(stats.hostToDeviceCopies() - copies).as("host-to-device copies").isEqualTo(FRAMES);
        assertThat(stats.deviceAllocations() - allocations).as("device buffers: the pool, allocated once").isEqualTo(extra + 2);
        assertThat(stats.pinnedAllocations() - pinned).as("staging buffers").isEqualTo(extra + 2);
        assertThat(stats.deviceFrees() - frees).as("device buffers freed at close").isEqualTo(extra + 2);
    }

    @Test
    void tenBitH264ThatNvdecCannotTakeIsDecodedOnTheCpuAndUploaded() throws Exception {
        assumeTrue(RampTestStream.isAvailable(Codec.H264), RampTestStream.unavailable(Codec.H264));
        assumeTrue(gpu.device().ccMajor() < 10, "NVDEC decodes 10-bit H.264 from Blackwell on; this test is about GPUs that cannot");
        List<AccessUnit> units = RampTestStream.encode(Codec.H264, AV_PIX_FMT_YUV420P10LE, 640, 360, 30, 0);
        try (NvdecDecoder decoder = new NvdecDecoder(device, Codec.H264, 2)) {
            List<Seen> seen = compareWithSoftware(decoder, units, 2);
            assertThat(decoder.engine()).isEqualTo(NvdecDecoder.CPU_FALLBACK);
            assertThat(seen).hasSize(30).allSatisfy(s -> assertThat(s.format).isEqualTo(PixelFormat.I420_10));
        }
    }

    @ParameterizedTest(name = "nvdec {0}")
    @ValueSource(booleans = {true, false})
    void tenBitHevcIsBitExactWithTheSoftwareDecoderAsP010FromNvdecAndI420_10FromTheFallback(boolean useNvdec) throws Exception {
        assumeTrue(RampTestStream.isAvailable(Codec.HEVC), RampTestStream.unavailable(Codec.HEVC));
        List<AccessUnit> units = RampTestStream.encode(Codec.HEVC, AV_PIX_FMT_YUV420P10LE, 640, 360, 30, 0);
        try (NvdecDecoder decoder = new NvdecDecoder(device, Codec.HEVC, 2, useNvdec)) {
            List<Seen> seen = compareWithSoftware(decoder, units, 2);
            assertThat(decoder.engine()).isEqualTo(useNvdec ? NvdecDecoder.NVDEC : NvdecDecoder.CPU_FALLBACK);
            assertThat(seen).hasSize(30).allSatisfy(s -> assertThat(s.format).isEqualTo(useNvdec ? PixelFormat.P010 : PixelFormat.I420_10));
        }
    }

    @Test
    void h264With422ChromaIsReportedAsUnsupportedFromTheFallback() {
        assumeTrue(RampTestStream.isAvailable(Codec.H264), RampTestStream.unavailable(Codec.H264));
        assumeTrue(gpu.device().ccMajor() < 10, "NVDEC decodes 4:2:2 H.264 from Blackwell on; this test is about GPUs that cannot");
        List<AccessUnit> units = RampTestStream.encode(Codec.H264, AV_PIX_FMT_YUV422P, 320, 240, 3, 0);
        try (NvdecDecoder decoder = new NvdecDecoder(device, Codec.H264, 2)) {
            assertThatThrownBy(() -> {
                for (AccessUnit u : units) {
                    decoder.decode(u, DecodedFrame::release);
                }
            }).isInstanceOf(DecodeException.class)
                    .satisfies(e -> assertThat(((DecodeException) e).error()).isEqualTo(DecodeError.UNSUPPORTED_FORMAT));
            assertThat(decoder.engine()).isEqualTo(NvdecDecoder.CPU_FALLBACK);
        }
    }

    @ParameterizedTest(name = "nvdec {0}")
    @ValueSource(booleans = {true, false})
    void resolutionChangeMidStreamIsFollowed(boolean useNvdec) throws Exception {
        assumeTrue(RampTestStream.isAvailable(Codec.H264), RampTestStream.unavailable(Codec.H264));
        List<AccessUnit> units = new ArrayList<>(RampTestStream.encode(Codec.H264, AV_PIX_FMT_YUV420P, 640, 360, 20, 0));
        units.addAll(RampTestStream.encode(Codec.H264, AV_PIX_FMT_YUV420P, 322, 242, 20, 20)); // cropped: 336x256 coded
        long allocations = gpu.stats().deviceAllocations();
        try (NvdecDecoder decoder = new NvdecDecoder(device, Codec.H264, 2, useNvdec)) {
            List<Seen> seen = compareWithSoftware(decoder, units, 2);
            assertThat(decoder.engine()).isEqualTo(useNvdec ? NvdecDecoder.NVDEC : NvdecDecoder.CPU_FALLBACK);
            assertThat(seen).hasSize(40);
            assertThat(seen.get(0).width + "x" + seen.get(0).height).isEqualTo("640x360");
            assertThat(seen.get(39).width + "x" + seen.get(39).height).isEqualTo("322x242");
        }
        if (!useNvdec) {
            assertThat(gpu.stats().deviceAllocations() - allocations).as("one pool per resolution").isEqualTo(2 * (2 + 2));
        }
    }

    @ParameterizedTest(name = "nvdec {0}")
    @ValueSource(booleans = {true, false})
    void framesReleasedAfterTheDecoderClosesStayReadableAndReleaseSafely(boolean useNvdec) throws Exception {
        List<DecodedFrame> kept = new ArrayList<>();
        NvdecDecoder decoder = new NvdecDecoder(device, Codec.H264, 2, useNvdec);
        try {
            for (AccessUnit u : stream(Profile.BASELINE).subList(0, 5)) {
                decoder.decode(u, f -> {
                    if (kept.size() < 2) {
                        kept.add(f);
                    } else {
                        f.release();
                    }
                });
            }
        } finally {
            decoder.close();
        }
        decoder.close();
        assertThat(kept).hasSize(2);
        assertThat(DecodedPicture.of(gpu, kept.get(1)).digest()).isEqualTo(referenceDigests(Profile.BASELINE).get(1));
        for (DecodedFrame f : kept) {
            f.release();
            f.release();
            assertThat(f.isReleased()).isTrue();
            assertThatThrownBy(f::image).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void decodersKeepWorkingAfterTheirDeviceHandleCloses() throws Exception {
        List<Long> digests = new ArrayList<>();
        NvdecDevice second = new NvdecDevice(gpu);
        try (NvdecDecoder decoder = new NvdecDecoder(second, Codec.H264, 2)) {
            second.close();
            assertThatThrownBy(() -> new NvdecDecoder(second, Codec.H264, 2)).isInstanceOf(IllegalStateException.class);
            for (AccessUnit u : stream(Profile.BASELINE)) {
                decoder.decode(u, digestInto(digests));
            }
            decoder.drain(digestInto(digests));
        } finally {
            second.close();
        }
        assertThat(digests).isEqualTo(referenceDigests(Profile.BASELINE));
    }

    @Test
    void extraFramesOutsideTheSupportedRangeAreRejected() {
        assertThatThrownBy(() -> new NvdecDecoder(device, Codec.H264, NvdecDecoder.MAX_EXTRA_FRAMES + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new NvdecDecoder(device, Codec.H264, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers

    /** What the decoder under test handed out, frame by frame. */
    private record Seen(long pts, PixelFormat format, int width, int height) {}

    /**
     * Decodes {@code units} with {@code decoder} and with FFmpeg's software decoder side by side and
     * compares each pair of frames sample for sample as soon as both decoders have produced it. The
     * decoder's frames stay leased while the next {@code held} frames are decoded and are read back
     * only when released, so a held frame that NVDEC or the upload pool overwrote would be caught.
     */
    private static List<Seen> compareWithSoftware(VideoDecoder decoder, List<AccessUnit> units, int held) throws DecodeException {
        Lockstep lockstep = new Lockstep(held);
        try (FfmpegSoftwareDecoder reference = new FfmpegSoftwareDecoder(units.get(0).codec(), 1)) {
            for (AccessUnit u : units) {
                decoder.decode(u, lockstep::take);
                reference.decode(u, lockstep::takeReference);
                lockstep.compareReady();
            }
            decoder.drain(lockstep::take);
            reference.drain(lockstep::takeReference);
            lockstep.releaseAll();
            lockstep.compareReady();
        } finally {
            lockstep.leased.forEach(DecodedFrame::release); // after a failure: release unread
        }
        assertThat(lockstep.unmatched()).as("frames only one decoder produced").isZero();
        return lockstep.seen;
    }

    private static final class Lockstep {
        final int held;
        final ArrayDeque<DecodedFrame> leased = new ArrayDeque<>();
        final ArrayDeque<DecodedPicture> mine = new ArrayDeque<>();
        final ArrayDeque<DecodedPicture> theirs = new ArrayDeque<>();
        final List<Seen> seen = new ArrayList<>();

        Lockstep(int held) {
            this.held = held;
        }

        void take(DecodedFrame frame) {
            assertThat(frame.image().onDevice()).isTrue();
            leased.addLast(frame);
            while (leased.size() > held) {
                releaseOldest();
            }
        }

        void takeReference(DecodedFrame frame) {
            theirs.addLast(DecodedPicture.of(gpu, frame));
            frame.release();
        }

        void releaseAll() {
            while (!leased.isEmpty()) {
                releaseOldest();
            }
        }

        private void releaseOldest() {
            DecodedFrame frame = leased.pollFirst();
            DecodedPicture picture = DecodedPicture.of(gpu, frame);
            frame.release();
            mine.addLast(picture);
            seen.add(new Seen(picture.pts(), picture.format(), picture.width(), picture.height()));
        }

        void compareReady() {
            while (!mine.isEmpty() && !theirs.isEmpty()) {
                DecodedPicture m = mine.pollFirst();
                DecodedPicture t = theirs.pollFirst();
                assertThat(m.pts()).as("pts of frame %d", seen.size() - mine.size() - 1).isEqualTo(t.pts());
                m.assertSameSamples(t, "frame " + (seen.size() - mine.size() - 1));
            }
        }

        int unmatched() {
            return mine.size() + theirs.size();
        }
    }

    private static void assertPresentationOrder(List<Seen> seen, int frames) {
        List<Long> expected = IntStream.range(0, frames).mapToObj(SyntheticVideoEncoder::ptsMicros).toList();
        assertThat(seen.stream().map(Seen::pts).toList()).isEqualTo(expected);
    }

    private static Consumer<DecodedFrame> digestInto(List<Long> digests) {
        return f -> {
            digests.add(DecodedPicture.of(gpu, f).digest());
            f.release();
        };
    }

    /** High profile with B-frames; never replaced by another stream (without libx264 this is a skip, a failure on the GPU machine). */
    private static Profile bframes() {
        assumeTrue(Profile.HIGH_BFRAMES.isAvailable(), "B-frame streams need libx264 (FFmpeg's GPL build on the test class path)");
        return Profile.HIGH_BFRAMES;
    }

    /** The profile's clip; those with B-frames are checked to have them (decode order is not presentation order). */
    private static List<AccessUnit> stream(Profile profile) {
        return STREAMS.computeIfAbsent(profile, p -> {
            List<AccessUnit> units = SyntheticVideoEncoder.encode(p, FRAMES);
            List<Long> pts = units.stream().map(AccessUnit::ptsMicros).toList();
            assertThat(pts).as("%s: decode order is presentation order, so the clip has no B-frames", p)
                    .matches(decodeOrder -> p == Profile.BASELINE || !decodeOrder.equals(decodeOrder.stream().sorted().toList()));
            return units;
        });
    }

    /** The software decoder's frames of {@code profile}'s stream, as digests in presentation order. */
    private static List<Long> referenceDigests(Profile profile) throws DecodeException {
        List<Long> digests = REFERENCE_DIGESTS.get(profile);
        if (digests == null) {
            digests = new ArrayList<>();
            try (FfmpegSoftwareDecoder reference = new FfmpegSoftwareDecoder(profile.codec, 1)) {
                for (AccessUnit u : stream(profile)) {
                    reference.decode(u, digestInto(digests));
                }
                reference.drain(digestInto(digests));
            }
            assertThat(digests).hasSize(FRAMES);
            REFERENCE_DIGESTS.put(profile, digests);
        }
        return digests;
    }
}
