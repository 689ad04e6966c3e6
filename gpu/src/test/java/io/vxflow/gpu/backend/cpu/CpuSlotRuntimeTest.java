package io.vxflow.gpu.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.decode.DecodedFrame;
import io.vxflow.gpu.decode.VideoDecoder;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.image.Image;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.Batch;
import io.vxflow.gpu.pipeline.BatchItem;
import io.vxflow.gpu.pipeline.FrameOutput;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The whole CPU chain below Flink: synthetic H.264 in, the scene's known boxes out. */
class CpuSlotRuntimeTest {

    @Test
    void findsTheKnownSquaresInDecodedVideoAcrossBatches() throws Exception {
        PipelineSpec spec = PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).maxBatch(4).crops(32, 4).mosaic(1, 320).build();
        List<AccessUnit> units = SyntheticVideoEncoder.encode(SyntheticVideoEncoder.Profile.BASELINE, 10);
        List<DecodedFrame> frames = new ArrayList<>();
        try (CpuSlotRuntime rt = new CpuSlotRuntime(spec); VideoDecoder dec = rt.openDecoder(units.get(0).codec())) {
            for (AccessUnit u : units) {
                dec.decode(u, frames::add);
            }
            dec.drain(frames::add);
            assertThat(frames).hasSize(10);
            List<BatchItem> items = new ArrayList<>();
            List<LetterboxGeometry> geoms = new ArrayList<>();
            int checked = 0;
            for (int f = 0; f < frames.size(); f++) {
                DecodedFrame frame = frames.get(f);
                LetterboxGeometry g = LetterboxGeometry.fit(frame.image().width(), frame.image().height(), 640, 640);
                Image content = rt.resize(frame, g);
                Image canvas = rt.pad(content, g);
                items.add(rt.normalize(canvas, g));
                geoms.add(g);
                boolean last = f == frames.size() - 1;
                if (rt.filling().isFull() || last) {
                    Batch b = rt.infer();
                    assertThat(b.size()).isEqualTo(last ? 2 : 4);
                    int first = f + 1 - b.size();
                    for (int k = 0; k < b.size(); k++) {
                        BatchItem item = items.get(first + k);
                        rt.postprocess(item, geoms.get(first + k));
                        rt.crop(item, frames.get(first + k));
                        rt.compose(item, frames.get(first + k), 0);
                        FrameOutput out = rt.read(item);
                        assertKnownBoxes(out.detections(), first + k);
                        assertThat(out.crops()).hasSize(3).allSatisfy(c -> assertThat(c).hasSize(32 * 32 * 3));
                        item.finish();
                        frames.get(first + k).release();
                        checked++;
                    }
                }
            }
            assertThat(checked).isEqualTo(10);
            assertThat(rt.mosaicSize()).containsExactly(320, 180);
        }
    }

    static void assertKnownBoxes(List<Detection> detections, long frameIndex) {
        assertThat(detections).as("frame %d", frameIndex).hasSize(3);
        List<Detection> sorted = new ArrayList<>(detections);
        sorted.sort(Comparator.comparingInt(Detection::classId));
        List<SyntheticScene.Placement> want = SyntheticScene.placements(frameIndex);
        for (int i = 0; i < 3; i++) {
            Detection d = sorted.get(i);
            SyntheticScene.Placement p = want.get(i);
            assertThat(d.classId()).isEqualTo(p.square().classId);
            assertThat(d.score()).isGreaterThan(0.8f);
            assertThat(new float[] {d.x1(), d.y1(), d.x2(), d.y2()})
                    .as("frame %d %s", frameIndex, p.square())
                    .containsExactly(new float[] {p.x1(), p.y1(), p.x2(), p.y2()}, org.assertj.core.data.Offset.offset(8f));
        }
    }
}
