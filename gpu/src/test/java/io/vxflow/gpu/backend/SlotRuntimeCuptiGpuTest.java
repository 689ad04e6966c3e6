package io.vxflow.gpu.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P10LE;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.RampTestStream;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchItem;
import io.vxflow.gpu.pipeline.FrameOutput;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.pipeline.SlotRuntime;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.gpu.testing.CuptiRecorder.Direction;
import io.vxflow.gpu.testing.CuptiRecorder.Recording;
import io.vxflow.gpu.testing.CuptiRecorder.Window;
import io.vxflow.gpu.testing.CuptiRecorder;
import io.vxflow.gpu.testing.GpuTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Only the results come back to the host" and "nothing is allocated in steady state", proved with
 * the GPU's own record (CUPTI), which sees every copy and allocation in the process, FFmpeg's NVDEC
 * and TensorRT's included, not only those vxflow counts. A GPU slot runtime, driven through the
 * {@link SlotRuntime} interface as the chained operators drive it, runs thousands of frames after a
 * warm-up; every batch, bucketed by CUPTI's timestamps between the moments its results were read,
 * must show exactly what the runtime promises and nothing else:
 *
 * <ul>
 *   <li>device to host: {@value #RESULT_COPIES_PER_BATCH} copy of the batch's results, its crop
 *       thumbnails included when crops are on ({@value #CROP_COPIES_PER_BATCH} more);
 *   <li>host to device: {@value #GEOMETRY_COPIES_PER_BATCH} copy of the batch's letterbox geometry,
 *       plus one upload per frame for a stream NVDEC cannot take (decoded on the CPU);
 *   <li>no allocation or free of device, pinned or pool memory, and no other copy to or from the host.
 * </ul>
 *
 * A failure lists, for the first offending batches, every copy (direction, bytes, CUDA stream) and
 * allocation. A stream joining and leaving may allocate, but must give back all of it.
 */
@GpuTest
class SlotRuntimeCuptiGpuTest {
    /** The batch's detections or top-k classes, in one copy ({@link SlotRuntime#read}). */
    static final int RESULT_COPIES_PER_BATCH = 1;
    /** Crop thumbnails lie right after the boxes and come back in the same copy. */
    static final int CROP_COPIES_PER_BATCH = 0;
    /** The batch's letterbox geometry, uploaded for postprocess by {@link SlotRuntime#infer}. */
    static final int GEOMETRY_COPIES_PER_BATCH = 1;
    static final int WARM_UP_LOOPS = 2;

    @BeforeEach
    void needsCupti() {
        assumeTrue(CuptiRecorder.available(), CuptiRecorder.unavailableReason());
    }

    /** Four 1080p streams on NVDEC (baseline and B-frames), 1,920 frames after warm-up. */
    @ParameterizedTest(name = "crops and mosaic {0}")
    @ValueSource(booleans = {false, true})
    void nvdecStreamsCopyOnlyTheResultsAndAllocateNothing(boolean extras) throws Exception {
        assumeTrue(Profile.HIGH_BFRAMES.isAvailable(), "the B-frame clips need libx264 (FFmpeg's GPL build on the test class path)");
        PipelineSpec.Builder b = PipelineSpec.builder(Backend.GPU, TestModels.squaresInfo()).maxBatch(8);
        if (extras) {
            b.crops(64, 4).mosaic(4, 320);
        }
        List<AccessUnit> baseline = SyntheticVideoEncoder.encode(Profile.BASELINE, 60);
        List<AccessUnit> bframes = SyntheticVideoEncoder.encode(Profile.HIGH_BFRAMES, 60);
        Run run = run(b.build(), List.of(baseline, bframes, baseline, bframes), 8, true);
        assertThat(run.engines).as("decoders").containsOnly("nvdec");
        assertThat(run.wrongBoxes).as("frames without the scene's boxes").isZero();
        assertSteadyState(run, extras, 0);
    }

    /**
     * Two 10-bit H.264 streams, which NVDEC before Blackwell cannot decode: FFmpeg decodes them on the
     * CPU and each frame is uploaded once from the fallback's pinned staging pool, which, like its
     * device pool, was allocated during warm-up.
     */
    @Test
    void cpuFallbackStreamsUploadEachFrameOnceAndAllocateNothing() throws Exception {
        assumeTrue(RampTestStream.isAvailable(Codec.H264), RampTestStream.unavailable(Codec.H264));
        PipelineSpec spec = PipelineSpec.builder(Backend.GPU, TestModels.squaresInfo()).maxBatch(8).build();
        List<AccessUnit> tenBit = RampTestStream.encode(Codec.H264, AV_PIX_FMT_YUV420P10LE, 640, 360, 30, 0);
        Run run = run(spec, List.of(tenBit, tenBit), 30, false);
        assertThat(run.engines).as("decoders (NVDEC takes 10-bit H.264 only from Blackwell on)").containsOnly("cpu-fallback");
        assertSteadyState(run, false, 1);
    }

    /**
     * A third stream joins two running ones for a clip and leaves: what it allocates (at least its
     * decoder's frame pool, which also shows that CUPTI sees allocations at all) is all freed when it
     * leaves, kind by kind, and the streams that stay allocate nothing afterwards.
     */
    @Test
    void aStreamThatJoinsAndLeavesReturnsEverythingItAllocated() throws Exception {
        PipelineSpec spec = PipelineSpec.builder(Backend.GPU, TestModels.squaresInfo()).maxBatch(8).build();
        List<AccessUnit> clip = SyntheticVideoEncoder.encode(Profile.BASELINE, 60);
        long clipMicros = (long) clip.size() * 1_000_000L / SyntheticScene.FPS;
        try (CuptiRecorder cupti = CuptiRecorder.start(); SlotRuntime rt = SlotRuntimes.open(spec, 0)) {
            List<VideoDecoder> stay = List.of(rt.openDecoder(Codec.H264), rt.openDecoder(Codec.H264));
            try {
                Chain chain = new Chain(rt, true);
                long[] marks = new long[3];
                for (int loop = 0; loop < WARM_UP_LOOPS + 2; loop++) {
                    VideoDecoder guest = null;
                    if (loop == WARM_UP_LOOPS) {
                        chain.flush();
                        marks[0] = cupti.now();
                        guest = rt.openDecoder(Codec.H264);
                    }
                    for (AccessUnit u : clip) {
                        for (int s = 0; s < stay.size(); s++) {
                            int stream = s;
                            stay.get(s).decode(new AccessUnit(u.codec(), u.ptsMicros() + loop * clipMicros, u.keyframe(), u.data()),
                                    f -> chain.frame(stream, f));
                        }
                        if (guest != null) {
                            guest.decode(u, f -> chain.frame(2, f));
                        }
                    }
                    if (guest != null) {
                        guest.drain(f -> chain.frame(2, f));
                        chain.flush(); // the guest's last frames are read before its decoder goes
                        guest.close();
                        marks[1] = cupti.now();
                    }
                }
                chain.flush();
                marks[2] = cupti.now();
                assertThat(chain.wrongBoxes).as("frames without the scene's boxes").isZero();
                Recording r = cupti.recording();
                assertThat(r.errors()).isEmpty();
                assertThat(r.dropped()).isZero();
                List<Window> w = r.windows(marks);
                java.util.Map<String, Long> net = new java.util.TreeMap<>();
                for (CuptiRecorder.Allocation a : w.get(0).allocations()) {
                    net.merge(a.memory(), a.free() ? -a.bytes() : a.bytes(), Long::sum);
                }
                System.out.println("a stream joining and leaving: " + w.get(0).describe());
                assertThat(w.get(0).allocations()).as("allocations while a stream joined (its decoder's frame pool at least)").isNotEmpty();
                // a module's globals (16 bytes on the H200, for the decoder's first kernel of the process under lazy loading)
                // stay until the context goes; they are once per process, not per stream, and bounded here
                Long moduleStatic = net.remove(CuptiRecorder.DEVICE_STATIC);
                assertThat(moduleStatic == null ? 0 : moduleStatic).as("module globals loaded while the stream joined").isLessThanOrEqualTo(64 * 1024);
                assertThat(net).as("bytes allocated and not freed, by memory kind, once the stream left: %s", w.get(0).describe())
                        .allSatisfy((kind, bytes) -> assertThat(bytes).as(kind).isZero());
                assertThat(w.get(1).allocations()).as("allocations by the streams that stayed, afterwards").isEmpty();
            } finally {
                stay.forEach(VideoDecoder::close);
            }
        }
    }

    private static void assertSteadyState(Run run, boolean crops, int uploadsPerFrame) {
        Recording r = run.recording;
        assertThat(r.errors()).as("errors reading CUPTI's buffers").isEmpty();
        assertThat(r.dropped()).as("activity records CUPTI dropped").isZero();
        assertThat(run.steadyFrames).as("frames after warm-up").isGreaterThanOrEqualTo(1000);
        List<Window> windows = r.windows(run.boundaries);
        assertThat(windows).hasSameSizeAs(run.batchSizes);
        List<String> wrong = new ArrayList<>();
        for (int k = 0; k < windows.size(); k++) {
            Window w = windows.get(k);
            long d2h = RESULT_COPIES_PER_BATCH + (crops ? CROP_COPIES_PER_BATCH : 0);
            long h2d = GEOMETRY_COPIES_PER_BATCH + (long) uploadsPerFrame * run.batchSizes.get(k);
            long others = w.copies().size() - w.count(Direction.DEVICE_TO_HOST) - w.count(Direction.HOST_TO_DEVICE)
                    - w.count(Direction.DEVICE_TO_DEVICE);
            if (w.count(Direction.DEVICE_TO_HOST) != d2h || w.count(Direction.HOST_TO_DEVICE) != h2d || others != 0
                    || !w.allocations().isEmpty()) {
                wrong.add("batch " + k + " (" + run.batchSizes.get(k) + " frames): expected " + d2h + " device-to-host and " + h2d
                        + " host-to-device copies, no allocation; CUPTI saw " + w.describe());
            }
        }
        assertThat(wrong.subList(0, Math.min(10, wrong.size()))).as("%d of %d batches after warm-up (%d frames) differ from the"
                + " runtime's promise; the first ones", wrong.size(), windows.size(), run.steadyFrames).isEmpty();
    }

    /** What one run recorded: per batch after warm-up, its frames and the CUPTI timestamps around it. */
    private static final class Run {
        final List<Integer> batchSizes = new ArrayList<>();
        final List<String> engines = new ArrayList<>();
        long[] boundaries;
        Recording recording;
        int steadyFrames;
        int wrongBoxes;
    }

    /**
     * Decodes every clip {@code loops} times after {@value #WARM_UP_LOOPS} warm-up loops, interleaved,
     * through the chain; records with CUPTI from the end of warm-up, taking a timestamp after each
     * batch's results are read.
     */
    private static Run run(PipelineSpec spec, List<List<AccessUnit>> clips, int loops, boolean sceneBoxes) throws Exception {
        Run run = new Run();
        // recording from before the slot opens: CUPTI then knows the slot's context from its creation
        try (CuptiRecorder cupti = CuptiRecorder.start(); SlotRuntime rt = SlotRuntimes.open(spec, 0)) {
            List<VideoDecoder> decoders = new ArrayList<>();
            try {
                for (List<AccessUnit> c : clips) {
                    decoders.add(rt.openDecoder(c.get(0).codec()));
                }
                Chain chain = new Chain(rt, sceneBoxes);
                List<Long> boundaries = new ArrayList<>();
                for (int loop = 0; loop < WARM_UP_LOOPS + loops; loop++) {
                    if (loop == WARM_UP_LOOPS) {
                        chain.flush();
                        chain.measureWith(cupti, run.batchSizes, boundaries);
                    }
                    for (int i = 0; i < clips.get(0).size(); i++) {
                        for (int s = 0; s < clips.size(); s++) {
                            AccessUnit u = clips.get(s).get(i);
                            long clipMicros = (long) clips.get(s).size() * 1_000_000L / SyntheticScene.FPS;
                            int stream = s;
                            decoders.get(s).decode(new AccessUnit(u.codec(), u.ptsMicros() + loop * clipMicros, u.keyframe(), u.data()),
                                    f -> chain.frame(stream, f));
                        }
                    }
                }
                chain.flush();
                run.steadyFrames = chain.frames;
                run.wrongBoxes = chain.wrongBoxes;
                run.boundaries = boundaries.stream().mapToLong(Long::longValue).toArray();
                decoders.forEach(d -> run.engines.add(d.engine()));
                run.recording = cupti.recording();
            } finally {
                decoders.forEach(VideoDecoder::close);
            }
        }
        return run;
    }

    /** Drives the runtime's stages per frame as the chained operators do; counts batches while measuring. */
    private static final class Chain {
        private final SlotRuntime rt;
        private final boolean sceneBoxes;
        private final List<Pending> pending = new ArrayList<>();
        private final long[] next = new long[8];
        private CuptiRecorder cupti;
        private List<Integer> measured;
        private List<Long> boundaries;
        int frames;
        int wrongBoxes;

        private record Pending(BatchItem item, LetterboxGeometry geometry, DecodedFrame frame, int stream, long sceneFrame) {}

        Chain(SlotRuntime rt, boolean sceneBoxes) {
            this.rt = rt;
            this.sceneBoxes = sceneBoxes;
        }

        /** From now on, each batch's size goes to {@code sizes} and the CUPTI time after its reads to {@code ends}. */
        void measureWith(CuptiRecorder clock, List<Integer> sizes, List<Long> ends) {
            cupti = clock;
            measured = sizes;
            boundaries = ends;
            boundaries.add(cupti.now());
            frames = 0;
            wrongBoxes = 0;
        }

        void frame(int stream, DecodedFrame f) {
            LetterboxGeometry g = LetterboxGeometry.fit(f.image().width(), f.image().height(), rt.spec().model().inputWidth(),
                    rt.spec().model().inputHeight());
            BatchItem item = rt.normalize(rt.pad(rt.resize(f, g), g), g);
            if (!rt.spec().keepsFrames()) {
                f.release();
            }
            pending.add(new Pending(item, g, f, stream, next[stream]++));
            if (rt.filling().isFull()) {
                flush();
            }
        }

        void flush() {
            Batch b = rt.infer();
            if (b == null) {
                return;
            }
            // as the result stage does: the whole batch through crop and compose, then its one read
            for (Pending p : pending) {
                rt.postprocess(p.item, p.geometry);
                rt.crop(p.item, p.frame);
                rt.compose(p.item, p.frame, p.stream);
            }
            for (Pending p : pending) {
                FrameOutput out = rt.read(p.item);
                if (sceneBoxes && !matches(out.detections(), p.sceneFrame % 60)) {
                    wrongBoxes++;
                }
                p.frame.release();
                p.item.finish();
                frames++;
            }
            if (measured != null) {
                measured.add(pending.size());
                boundaries.add(cupti.now());
            }
            pending.clear();
        }

        static boolean matches(List<Detection> dets, long sceneFrame) {
            List<SyntheticScene.Placement> want = SyntheticScene.placements(sceneFrame);
            if (dets.size() != want.size()) {
                return false;
            }
            for (SyntheticScene.Placement p : want) {
                if (dets.stream().noneMatch(d -> d.classId() == p.square().classId && Math.abs(d.x1() - p.x1()) <= 8
                        && Math.abs(d.y1() - p.y1()) <= 8 && Math.abs(d.x2() - p.x2()) <= 8 && Math.abs(d.y2() - p.y2()) <= 8)) {
                    return false;
                }
            }
            return true;
        }
    }
}
