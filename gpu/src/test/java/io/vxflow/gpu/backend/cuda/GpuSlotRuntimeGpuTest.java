package io.vxflow.gpu.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchItem;
import io.vxflow.gpu.pipeline.FrameOutput;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.gpu.testing.GpuTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole GPU chain below Flink, as the operators drive it: NVDEC, resize, pad, normalize into
 * batches, TensorRT, NMS, crop, compose and the result copy, over 1,440 frames of two streams. Every
 * frame has the scene's boxes; after warm-up no device memory is allocated (vxflow's counter and the
 * driver's free memory are flat); the only device-to-host copies are the result copies: one per
 * batch, crops included. Each crop shows its own square.
 */
@GpuTest
class GpuSlotRuntimeGpuTest {
    private static final int CLIP = 60;
    private static final int LOOPS = 12;

    @ParameterizedTest(name = "crops and mosaic {0}")
    @ValueSource(booleans = {false, true})
    void steadyStateAllocatesNothingAndCopiesOnlyResults(boolean extras) throws Exception {
        PipelineSpec.Builder b = PipelineSpec.builder(Backend.GPU, TestModels.squaresInfo()).maxBatch(8);
        if (extras) {
            b.crops(64, 4).mosaic(2, 320);
        }
        PipelineSpec spec = b.build();
        List<List<AccessUnit>> clips = List.of(SyntheticVideoEncoder.encode(Profile.BASELINE, CLIP), SyntheticVideoEncoder.encode(Profile.HIGH_BFRAMES, CLIP));
        try (GpuSlotRuntime rt = new GpuSlotRuntime(spec, 0)) {
            GpuContext ctx = rt.context();
            List<VideoDecoder> decoders = new ArrayList<>();
            for (List<AccessUnit> c : clips) {
                decoders.add(rt.openDecoder(c.get(0).codec()));
            }
            Chain chain = new Chain(rt, extras);
            long allocationsAfterWarmUp = -1, bytesAfterWarmUp = -1, freeAfterWarmUp = -1;
            int batchesAfterWarmUp = 0;
            int framesAfterWarmUp = 0;
            long d2hAfterWarmUp = 0;
            for (int loop = 0; loop < LOOPS; loop++) {
                for (int i = 0; i < CLIP; i++) {
                    for (int s = 0; s < clips.size(); s++) {
                        AccessUnit u = clips.get(s).get(i);
                        long offset = (long) loop * CLIP * 1_000_000L / SyntheticScene.FPS;
                        int stream = s;
                        decoders.get(s).decode(new AccessUnit(u.codec(), u.ptsMicros() + offset, u.keyframe(), u.data()), f -> chain.frame(stream, f));
                    }
                }
                if (loop == 1) {
                    chain.flush();
                    allocationsAfterWarmUp = ctx.stats().deviceAllocations();
                    bytesAfterWarmUp = ctx.stats().deviceBytes();
                    freeAfterWarmUp = ctx.memoryInfo()[0];
                    batchesAfterWarmUp = chain.batches;
                    framesAfterWarmUp = chain.frames;
                    d2hAfterWarmUp = ctx.stats().deviceToHostCopies();
                }
            }
            for (int s = 0; s < decoders.size(); s++) {
                int stream = s;
                decoders.get(s).drain(f -> chain.frame(stream, f));
            }
            chain.flush();
            assertThat(chain.frames).isEqualTo(2 * CLIP * LOOPS);
            assertThat(chain.wrongBoxes).as("frames without the scene's boxes").isZero();
            assertThat(chain.wrongCrops).as("crops that do not show their square").isZero();
            assertThat(ctx.stats().deviceAllocations()).as("device allocations after warm-up").isEqualTo(allocationsAfterWarmUp);
            assertThat(ctx.stats().deviceBytes()).isEqualTo(bytesAfterWarmUp);
            assertThat(Math.abs(ctx.memoryInfo()[0] - freeAfterWarmUp)).as("driver free memory drift").isLessThan(8L << 20);
            int batches = chain.batches - batchesAfterWarmUp;
            int frames = chain.frames - framesAfterWarmUp;
            assertThat(frames).isPositive();
            assertThat(ctx.stats().deviceToHostCopies() - d2hAfterWarmUp).as("device-to-host copies for %d batches of %d frames", batches, frames)
                    .isEqualTo(batches);
            decoders.forEach(VideoDecoder::close);
        }
    }

    /** Drives the runtime's stages per frame as the chained operators do. */
    private static final class Chain {
        private final GpuSlotRuntime rt;
        private final boolean extras;
        private final List<Object[]> pending = new ArrayList<>();
        int frames;
        int batches;
        int wrongBoxes;
        int wrongCrops;
        private final long[] next = new long[2];

        Chain(GpuSlotRuntime rt, boolean extras) {
            this.rt = rt;
            this.extras = extras;
        }

        void frame(int stream, DecodedFrame f) {
            LetterboxGeometry g = LetterboxGeometry.fit(f.image().width(), f.image().height(), 640, 640);
            BatchItem item = rt.normalize(rt.pad(rt.resize(f, g), g), g);
            if (!extras) {
                f.release();
            }
            pending.add(new Object[] {item, g, f, stream, next[stream]++});
            if (rt.filling().isFull()) {
                flush();
            }
        }

        void flush() {
            Batch b = rt.infer();
            if (b == null) {
                return;
            }
            batches++;
            // as the result stage does: every frame of the batch through crop and compose, then one read for all
            for (Object[] p : pending) {
                BatchItem item = (BatchItem) p[0];
                DecodedFrame f = (DecodedFrame) p[2];
                rt.postprocess(item, (LetterboxGeometry) p[1]);
                if (extras) {
                    rt.crop(item, f);
                    rt.compose(item, f, (Integer) p[3]);
                }
            }
            for (Object[] p : pending) {
                BatchItem item = (BatchItem) p[0];
                DecodedFrame f = (DecodedFrame) p[2];
                FrameOutput out = rt.read(item);
                if (!matches(out.detections(), (Long) p[4] % CLIP)) {
                    wrongBoxes++;
                }
                if (extras) {
                    assertThat(out.crops()).hasSize(3);
                    for (int c = 0; c < 3; c++) {
                        if (!cropShowsItsSquare(out, c)) {
                            wrongCrops++;
                        }
                    }
                    f.release();
                }
                item.finish();
                frames++;
            }
            pending.clear();
        }

        /** The centre of crop {@code c} has the colour of the square its detection found. */
        static boolean cropShowsItsSquare(FrameOutput out, int c) {
            SyntheticScene.Square sq = SyntheticScene.Square.values()[out.detections().get(c).classId()];
            int size = out.cropSize(), o = ((size / 2) * size + size / 2) * 3;
            byte[] px = out.crops().get(c);
            return Math.abs((px[o] & 0xFF) - sq.r) < 24 && Math.abs((px[o + 1] & 0xFF) - sq.g) < 24 && Math.abs((px[o + 2] & 0xFF) - sq.b) < 24;
        }

        static boolean matches(List<Detection> dets, long sceneFrame) {
            List<SyntheticScene.Placement> want = SyntheticScene.placements(sceneFrame);
            if (dets.size() != want.size()) {
                return false;
            }
            for (SyntheticScene.Placement p : want) {
                if (dets.stream().noneMatch(d -> d.classId() == p.square().classId && Math.abs(d.x1() - p.x1()) <= 8 && Math.abs(d.y1() - p.y1()) <= 8
                        && Math.abs(d.x2() - p.x2()) <= 8 && Math.abs(d.y2() - p.y2()) <= 8)) {
                    return false;
                }
            }
            return true;
        }
    }
}
