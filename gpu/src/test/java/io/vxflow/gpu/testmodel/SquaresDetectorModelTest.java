package io.vxflow.gpu.testmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.postprocess.YoloDecoder;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.synthetic.SyntheticScene.Placement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Holds the committed {@code squares-640.onnx} to its code and to the synthetic scene's known answers. */
class SquaresDetectorModelTest {
    static final String RESOURCE = "/io/vxflow/gpu/models/squares-640.onnx";
    static final long[] FRAMES = {0, 37, 111, 250};
    static final float EDGE_TOLERANCE_PX = 6f;

    static OrtEnvironment env;
    static OrtSession session;
    final LetterboxedScene scene = new LetterboxedScene(LetterboxGeometry.fit(
            SyntheticScene.WIDTH, SyntheticScene.HEIGHT, SquaresDetectorModel.SIZE, SquaresDetectorModel.SIZE));
    final YoloDecoder decoder = new YoloDecoder(
            SquaresDetectorModel.CLASSES, SquaresDetectorModel.ANCHORS, 0.5f, 0.45f, 100);

    @BeforeAll
    static void openSession() throws Exception {
        env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(2);
            session = env.createSession(committedModel(), options);
        }
    }

    @AfterAll
    static void closeSession() throws OrtException {
        session.close();
    }

    @Test
    void committedModelIsWhatTheCodeBuilds() throws IOException {
        assertThat(committedModel()).isEqualTo(SquaresDetectorModel.build());
    }

    @Test
    void metadataAndShapesFollowTheUltralyticsContract() throws OrtException {
        Map<String, String> meta = session.getMetadata().getCustomMetadata();
        assertThat(meta).containsEntry("names", "{0: 'red', 1: 'green', 2: 'blue'}")
                .containsEntry("stride", "8").containsEntry("vxflow.model", "squares-640");
        assertThat(session.getInputNames()).containsExactly("images");
        assertThat(session.getOutputNames()).containsExactly("output0");
        assertThat(session.getInputInfo().get("images").getInfo().toString()).contains("shape=[-1, 3, 640, 640]");
        assertThat(session.getOutputInfo().get("output0").getInfo().toString()).contains("shape=[-1, 7, 6400]");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 37, 111, 250})
    void findsEverySquareOfAFrame(long frame) throws OrtException {
        List<Detection> found = infer(new long[] {frame}).get(0);
        assertMatchesScene(frame, found);
    }

    @Test
    void aBatchOfFourGivesEachImageItsOwnAnswer() throws OrtException {
        List<List<Detection>> batch = infer(FRAMES);
        for (int i = 0; i < FRAMES.length; i++) {
            List<Detection> alone = infer(new long[] {FRAMES[i]}).get(0);
            assertMatchesScene(FRAMES[i], batch.get(i));
            assertThat(batch.get(i)).hasSameSizeAs(alone);
            for (int k = 0; k < alone.size(); k++) {
                Detection a = alone.get(k);
                Detection b = batch.get(i).get(k);
                assertThat(b.classId()).isEqualTo(a.classId());
                assertThat(b.score()).isCloseTo(a.score(), within(1e-5f));
                assertThat(new float[] {b.x1(), b.y1(), b.x2(), b.y2()})
                        .containsExactly(new float[] {a.x1(), a.y1(), a.x2(), a.y2()}, within(1e-3f));
            }
        }
    }

    private List<List<Detection>> infer(long[] frames) throws OrtException {
        int n = frames.length;
        float[] input = new float[n * scene.imageFloats()];
        for (int i = 0; i < n; i++) {
            scene.write(frames[i], input, i * scene.imageFloats());
        }
        long[] shape = {n, 3, SquaresDetectorModel.SIZE, SquaresDetectorModel.SIZE};
        try (OnnxTensor images = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                OrtSession.Result result = session.run(Map.of("images", images))) {
            OnnxTensor output = (OnnxTensor) result.get(0);
            assertThat(output.getInfo().getShape()).containsExactly(n, 7, SquaresDetectorModel.ANCHORS);
            FloatBuffer all = output.getFloatBuffer();
            List<List<Detection>> perImage = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                perImage.add(decoder.decode(all, i * decoder.imageStride(), scene.geometry()));
            }
            return perImage;
        }
    }

    private static void assertMatchesScene(long frame, List<Detection> found) {
        assertThat(found).as("frame %d detections", frame).hasSize(3);
        List<Detection> byClass = new ArrayList<>(found);
        byClass.sort(Comparator.comparingInt(Detection::classId));
        for (Placement p : SyntheticScene.placements(frame)) {
            Detection d = byClass.get(p.square().classId);
            assertThat(d.classId()).as("frame %d one detection per class", frame).isEqualTo(p.square().classId);
            System.out.printf("frame %3d %-5s score %.4f edge error x1 %+.2f y1 %+.2f x2 %+.2f y2 %+.2f px%n",
                    frame, p.square().label, d.score(), d.x1() - p.x1(), d.y1() - p.y1(), d.x2() - p.x2(), d.y2() - p.y2());
            assertThat(d.score()).isGreaterThan(0.8f);
            assertThat(d.x1()).isCloseTo(p.x1(), within(EDGE_TOLERANCE_PX));
            assertThat(d.y1()).isCloseTo(p.y1(), within(EDGE_TOLERANCE_PX));
            assertThat(d.x2()).isCloseTo(p.x2(), within(EDGE_TOLERANCE_PX));
            assertThat(d.y2()).isCloseTo(p.y2(), within(EDGE_TOLERANCE_PX));
        }
    }

    private static byte[] committedModel() throws IOException {
        try (InputStream in = SquaresDetectorModelTest.class.getResourceAsStream(RESOURCE)) {
            assertThat(in).as("resource %s", RESOURCE).isNotNull();
            return in.readAllBytes();
        }
    }
}
