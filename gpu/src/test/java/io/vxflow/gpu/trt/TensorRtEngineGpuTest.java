package io.vxflow.gpu.trt;

import io.vxflow.gpu.tensor.Half;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.PinnedBuffer;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.OnnxRuntimeEngine;
import io.vxflow.gpu.postprocess.Detection;
import io.vxflow.gpu.postprocess.YoloDecoder;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.tensor.HostTensor;
import io.vxflow.gpu.testing.GpuTest;
import io.vxflow.gpu.testmodel.LetterboxedScene;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TensorRT against ONNX Runtime on the shipped known-answer detector ({@code squares-640}, YOLO
 * layout {@code [batch, 7, 6400]}, 640x640 input) fed letterboxed synthetic frames, and the engine
 * cache around it. Runs on the GPU machine only ({@code -Pgpu}); skipped without a CUDA device.
 *
 * <p>Tolerances, ONNX Runtime (CPU, float32) being the reference:
 * <ul>
 *   <li>FP32 (TF32 off): every score within {@value #FP32_TOLERANCE} absolute; box rows (cx, cy, w,
 *       h in model pixels) within {@value #FP32_TOLERANCE} at every anchor whose best score is at
 *       least {@value #BOX_SCORE_FLOOR} (elsewhere the box is that of an arbitrary near-zero class
 *       and its ArgMax may legitimately flip).
 *   <li>FP16 (half input, half arithmetic): scores within {@value #FP16_SCORE_TOLERANCE}, boxes
 *       within {@value #FP16_BOX_TOLERANCE} model pixels at the same anchors. Reasoning: pixel / 255
 *       in half is off by up to 2^-11, the mask logit (gain 30) by about 0.03, a sigmoid slope of at
 *       most 1/4 makes that under 0.01 in a score; centres near 640 are rounded to half's spacing of
 *       0.5 there if TensorRT keeps the last additions in half, so 0.25 px, plus the moment error.
 *   <li>Decoded detections (confidence 0.5, IoU 0.45): the same number and classes; scores within
 *       the score tolerance; boxes within 3 times the box tolerance in source pixels (the letterbox
 *       scales 640 model pixels to 1920 source pixels).
 * </ul>
 */
@GpuTest
class TensorRtEngineGpuTest {
    static final long[] FRAMES = {0, 37, 111, 250};
    static final int MAX_BATCH = 4;
    static final float FP32_TOLERANCE = 1e-3f;
    static final float FP16_SCORE_TOLERANCE = 0.03f;
    static final float FP16_BOX_TOLERANCE = 1.0f;
    static final float BOX_SCORE_FLOOR = 0.25f;

    @TempDir
    static Path cache;
    static String previousCache;
    static ModelInfo model;
    static GpuContext gpu;
    static LetterboxedScene scene;
    static float[] input;
    static float[] expectedFour;
    static float[] expectedOne;

    @BeforeAll
    static void setUp() {
        previousCache = System.getProperty("vxflow.cache.dir");
        System.setProperty("vxflow.cache.dir", cache.toString());
        model = TestModels.squaresInfo();
        gpu = GpuContext.open(0);
        scene = new LetterboxedScene(LetterboxGeometry.fit(SyntheticScene.WIDTH, SyntheticScene.HEIGHT, model.inputWidth(),
                model.inputHeight()));
        input = new float[FRAMES.length * scene.imageFloats()];
        for (int i = 0; i < FRAMES.length; i++) {
            scene.write(FRAMES[i], input, i * scene.imageFloats());
        }
        try (OnnxRuntimeEngine ort = new OnnxRuntimeEngine(model, 4)) {
            HostTensor in = HostTensor.allocate(MAX_BATCH, 3, model.inputHeight(), model.inputWidth());
            in.data().put(input);
            expectedFour = runOnnxRuntime(ort, in, MAX_BATCH);
            expectedOne = runOnnxRuntime(ort, in, 1);
        }
    }

    private static float[] runOnnxRuntime(OnnxRuntimeEngine ort, HostTensor in, int n) {
        HostTensor out = HostTensor.allocate(MAX_BATCH, model.outputShape()[0], model.outputShape()[1]);
        ort.run(in, out, n);
        float[] values = new float[n * model.outputSize()];
        out.data().get(values);
        return values;
    }

    @AfterAll
    static void tearDown() {
        if (gpu != null) {
            gpu.close();
        }
        if (previousCache == null) {
            System.clearProperty("vxflow.cache.dir");
        } else {
            System.setProperty("vxflow.cache.dir", previousCache);
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void matchesOnnxRuntimeAtBatchOneAndFour(Precision precision) {
        try (TensorRtEngine engine = TensorRtEngine.acquire(model, gpu.device(), precision, MAX_BATCH);
                TensorRtContext context = engine.newContext(gpu);
                Buffers b = new Buffers(engine)) {
            System.out.printf("%s engine: %s in %d ms (%s); context memory %d MiB%n", precision, engine.origin(), engine.loadMillis(),
                    engine.originDetail(), engine.contextMemoryBytes() >> 20);
            assertThat(engine.inputType()).isEqualTo(precision.inputType());
            assertThat(engine.outputType()).isEqualTo(TensorDataType.FLOAT32);
            assertThat(engine.inputElementsPerImage()).isEqualTo(3L * 640 * 640);
            assertThat(engine.outputElementsPerImage()).isEqualTo(7L * 6400);
            assertThat(context.inputBytes(MAX_BATCH)).isEqualTo(MAX_BATCH * 3L * 640 * 640 * precision.inputType().bytes());
            b.upload(input, precision);

            float[] four = b.infer(context, MAX_BATCH);
            assertMatches(precision, "batch 4", four, expectedFour, MAX_BATCH);
            float[] one = b.infer(context, 1);
            assertMatches(precision, "batch 1", one, expectedOne, 1);
            assertMatches(precision, "batch 4 after batch 1", b.infer(context, MAX_BATCH), expectedFour, MAX_BATCH);
        }
        assertThat(TensorRtEngine.liveEngines()).isZero();
    }

    @Test
    void cachedEnginesLoadWithoutBuildingAndCorruptOnesAreRebuilt() throws Exception {
        int batch = 2; // a key no other test uses, so the first acquire must build
        EngineKey key;
        long buildMillis;
        try (TensorRtEngine built = TensorRtEngine.acquire(model, gpu.device(), Precision.FP16, batch)) {
            assertThat(built.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
            assertThat(built.originDetail()).startsWith("cache miss");
            key = built.key();
            buildMillis = built.loadMillis();
        }
        Path file = cache.resolve("engines").resolve(key.fileName(model.name()));
        assertThat(file).isRegularFile();

        try (TensorRtEngine loaded = TensorRtEngine.acquire(model, gpu.device(), Precision.FP16, batch)) {
            assertThat(loaded.origin()).isEqualTo(TensorRtEngine.Origin.CACHE);
            assertThat(loaded.originDetail()).isEqualTo(file.toString());
            System.out.printf("build %d ms, load from cache %d ms%n", buildMillis, loaded.loadMillis());
            assertThat(loaded.loadMillis()).isLessThan(buildMillis);
        }

        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int v = f.read();
            f.seek(at);
            f.write(v ^ 0x5a);
        }
        try (TensorRtEngine rebuilt = TensorRtEngine.acquire(model, gpu.device(), Precision.FP16, batch);
                TensorRtContext context = rebuilt.newContext(gpu);
                Buffers b = new Buffers(rebuilt)) {
            assertThat(rebuilt.origin()).isEqualTo(TensorRtEngine.Origin.BUILT);
            assertThat(rebuilt.originDetail()).contains("unusable", "checksum mismatch");
            b.upload(input, Precision.FP16);
            assertMatches(Precision.FP16, "rebuilt engine, batch 1", b.infer(context, 1), expectedOne, 1);
        }
        try (TensorRtEngine again = TensorRtEngine.acquire(model, gpu.device(), Precision.FP16, batch)) {
            assertThat(again.origin()).isEqualTo(TensorRtEngine.Origin.CACHE);
        }
    }

    @Test
    void slotsShareOneEngineAndClosedContextsReturnTheirMemory() {
        try (TensorRtEngine a = TensorRtEngine.acquire(model, gpu.device(), Precision.FP16, MAX_BATCH);
                TensorRtEngine b = TensorRtEngine.acquire(model, gpu.device(), Precision.FP16, MAX_BATCH)) {
            assertThat(b.engineAddress()).isEqualTo(a.engineAddress()).isNotZero();
            assertThat(TensorRtEngine.liveEngines()).isEqualTo(1);

            a.newContext(gpu).close(); // TensorRT may set up lazily on the first context
            long freeBefore = gpu.memoryInfo()[0];
            List<TensorRtContext> contexts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                contexts.add((i % 2 == 0 ? a : b).newContext(gpu));
            }
            assertThat(CppDelete.owns(contexts.get(0).nativeContext())).isTrue();
            long freeDuring = gpu.memoryInfo()[0];
            contexts.forEach(TensorRtContext::close);
            long freeAfter = gpu.memoryInfo()[0];
            long perContext = a.contextMemoryBytes();
            System.out.printf("context memory %d MiB each; free %d -> %d -> %d MiB%n", perContext >> 20, freeBefore >> 20,
                    freeDuring >> 20, freeAfter >> 20);
            assertThat(freeBefore - freeAfter).as("device memory not returned by 8 closed contexts")
                    .isLessThan(Math.max(perContext, 16L << 20));

            a.close();
            assertThat(TensorRtEngine.liveEngines()).as("b still holds the engine").isEqualTo(1);
            try (TensorRtContext stillWorks = b.newContext(gpu); Buffers buffers = new Buffers(b)) {
                buffers.upload(input, Precision.FP16);
                assertMatches(Precision.FP16, "after the other holder closed", buffers.infer(stillWorks, 1), expectedOne, 1);
            }
        }
        assertThat(TensorRtEngine.liveEngines()).isZero();
    }

    @Test
    void enqueueRefusesBatchesAndAddressesTheEngineCannotTake() {
        try (TensorRtEngine engine = TensorRtEngine.acquire(model, gpu.device(), Precision.FP16, MAX_BATCH);
                TensorRtContext context = engine.newContext(gpu);
                Buffers b = new Buffers(engine)) {
            long in = b.input.address();
            long out = b.output.address();
            assertThatThrownBy(() -> context.enqueue(in, out, 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("1 to 4");
            assertThatThrownBy(() -> context.enqueue(in, out, 5)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> context.enqueue(in + 2, out, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("aligned");
            assertThatThrownBy(() -> context.enqueue(in, 0, 1)).isInstanceOf(IllegalArgumentException.class);
            context.close();
            assertThatThrownBy(() -> context.enqueue(in, out, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aFileThatIsNotOnnxIsAModelErrorNamingIt() throws Exception {
        Path bogus = cache.resolve("not-a-model.onnx");
        Files.writeString(bogus, "this is not a protobuf ModelProto\n".repeat(20));
        ModelInfo info = new ModelInfo("not-a-model", bogus.toString(), sha256(bogus), model.inputName(), 640, 640, 0,
                model.outputName(), model.outputShape(), model.kind(), model.classNames());
        assertThatThrownBy(() -> TensorRtEngine.acquire(info, gpu.device(), Precision.FP16, 1)).isInstanceOf(ModelException.class)
                .hasMessageContaining("not-a-model").hasMessageContaining(bogus.toString()).hasMessageContaining("ONNX")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThat(TensorRtEngine.liveEngines()).isZero();
    }

    @Test
    void aMissingFileIsAModelErrorNamingIt() {
        Path missing = cache.resolve("gone/squares-640.onnx");
        ModelInfo info = new ModelInfo(model.name(), missing.toString(), "0f".repeat(32), model.inputName(), 640, 640, 0,
                model.outputName(), model.outputShape(), model.kind(), model.classNames());
        assertThatThrownBy(() -> TensorRtEngine.acquire(info, gpu.device(), Precision.FP16, 1)).isInstanceOf(ModelException.class)
                .hasMessageContaining(model.name()).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
        assertThat(TensorRtEngine.liveEngines()).isZero();
    }

    /** Device and pinned host buffers for a full batch, and the copies around one inference. */
    static final class Buffers implements AutoCloseable {
        final TensorRtEngine engine;
        final DeviceBuffer input;
        final DeviceBuffer output;
        final PinnedBuffer hostInput;
        final PinnedBuffer hostOutput;

        Buffers(TensorRtEngine engine) {
            this.engine = engine;
            int n = engine.maxBatch();
            input = gpu.allocate(engine.inputBytes(n), "test input");
            output = gpu.allocate(engine.outputBytes(n), "test output");
            hostInput = gpu.allocatePinned(engine.inputBytes(n));
            hostOutput = gpu.allocatePinned(engine.outputBytes(n));
        }

        /** Uploads as many images of {@code values} as fit, as float or (converted here) half. */
        void upload(float[] values, Precision precision) {
            int n = (int) Math.min(values.length, engine.maxBatch() * engine.inputElementsPerImage());
            if (precision.inputType() == TensorDataType.FLOAT16) {
                var half = hostInput.view().order(ByteOrder.nativeOrder()).asShortBuffer();
                for (int i = 0; i < n; i++) {
                    half.put(i, Half.fromFloat(values[i]));
                }
            } else {
                hostInput.view().order(ByteOrder.nativeOrder()).asFloatBuffer().put(values, 0, n);
            }
            gpu.copyToDeviceAsync(input.address(), hostInput.pointer(), (long) n * precision.inputType().bytes());
            gpu.synchronize();
        }

        /** Runs {@code batch} images and returns their output. */
        float[] infer(TensorRtContext context, int batch) {
            gpu.fillAsync(output.address(), (byte) 0xff, engine.outputBytes(engine.maxBatch())); // NaN: stale output shows
            context.enqueue(input.address(), output.address(), batch);
            gpu.copyToHostAsync(hostOutput, 0, output.address(), engine.outputBytes(batch));
            gpu.synchronize();
            float[] values = new float[(int) (batch * engine.outputElementsPerImage())];
            hostOutput.view().order(ByteOrder.nativeOrder()).asFloatBuffer().get(values);
            return values;
        }

        @Override
        public void close() {
            hostOutput.close();
            hostInput.close();
            output.close();
            input.close();
        }
    }

    /** Raw outputs within the precision's tolerances, then the decoded detections. */
    static void assertMatches(Precision precision, String what, float[] got, float[] want, int images) {
        boolean fp32 = precision == Precision.FP32;
        float scoreTolerance = fp32 ? FP32_TOLERANCE : FP16_SCORE_TOLERANCE;
        float boxTolerance = fp32 ? FP32_TOLERANCE : FP16_BOX_TOLERANCE;
        int anchors = model.anchors();
        int rows = 4 + model.numClasses();
        float worstScore = 0;
        float worstBox = 0;
        int boxesCompared = 0;
        for (int img = 0; img < images; img++) {
            int base = img * rows * anchors;
            for (int a = 0; a < anchors; a++) {
                float best = 0;
                for (int r = 4; r < rows; r++) {
                    int i = base + r * anchors + a;
                    best = Math.max(best, want[i]);
                    worstScore = Math.max(worstScore, Math.abs(got[i] - want[i]));
                    assertThat(got[i]).as("%s %s image %d score row %d anchor %d", precision, what, img, r, a)
                            .isCloseTo(want[i], within(scoreTolerance));
                }
                if (best < BOX_SCORE_FLOOR) {
                    continue;
                }
                boxesCompared++;
                for (int r = 0; r < 4; r++) {
                    int i = base + r * anchors + a;
                    worstBox = Math.max(worstBox, Math.abs(got[i] - want[i]));
                    assertThat(got[i]).as("%s %s image %d box row %d anchor %d (score %.3f)", precision, what, img, r, a, best)
                            .isCloseTo(want[i], within(boxTolerance));
                }
            }
        }
        System.out.printf("%s %s: worst score error %.2e, worst box error %.2e px over %d anchors%n", precision, what, worstScore,
                worstBox, boxesCompared);
        assertThat(boxesCompared).as("anchors with a confident box").isGreaterThan(images * 3);
        assertSameDetections(precision, what, got, want, images, scoreTolerance, 3 * boxTolerance);
    }

    private static void assertSameDetections(Precision precision, String what, float[] got, float[] want, int images,
            float scoreTolerance, float boxTolerance) {
        YoloDecoder decoder = new YoloDecoder(model.numClasses(), model.anchors(), 0.5f, 0.45f, 100);
        for (int img = 0; img < images; img++) {
            List<Detection> expected = decoder.decode(want, img * decoder.imageStride(), scene.geometry());
            List<Detection> actual = decoder.decode(got, img * decoder.imageStride(), scene.geometry());
            assertThat(expected).as("ONNX Runtime finds the three squares of frame %d", FRAMES[img]).hasSize(3);
            assertThat(actual).as("%s %s image %d detections", precision, what, img).hasSameSizeAs(expected);
            for (int k = 0; k < expected.size(); k++) {
                Detection e = expected.get(k);
                Detection d = actual.get(k);
                assertThat(d.classId()).isEqualTo(e.classId());
                assertThat(d.score()).isCloseTo(e.score(), within(scoreTolerance));
                assertThat(new float[] {d.x1(), d.y1(), d.x2(), d.y2()})
                        .containsExactly(new float[] {e.x1(), e.y1(), e.x2(), e.y2()}, within(boxTolerance));
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
