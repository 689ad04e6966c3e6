package io.vxflow.gpu.trt;

import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.cuda.DeviceBuffer;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.cuda.PinnedBuffer;
import io.vxflow.gpu.geometry.LetterboxGeometry;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.OnnxRuntimeEngine;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.gpu.tensor.HostTensor;
import io.vxflow.gpu.testmodel.LetterboxedScene;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A fresh JVM that loads TensorRT from a system home the way {@code --tensorrt-home} does (before any
 * JavaCPP class), for {@code SystemTensorRtGpuTest}, which starts it. Prints one {@code loaded
 * RELEASE from FILE} line; with {@code engine}, also builds the built-in squares model's fp32 engine
 * (into the cache {@code vxflow.cache.dir} names), runs one image and prints the largest difference
 * from ONNX Runtime; with {@code late}, loads TensorRT the default way before the home (which must
 * then be refused). A refused home prints {@code refused: MESSAGE} and exits with 3.
 *
 * <pre>java -cp CLASSPATH io.vxflow.gpu.trt.SystemTensorRtProbe HOME|- [engine|late]</pre> ({@code -}: no home, JavaCPP's own search)
 */
public final class SystemTensorRtProbe {
    private SystemTensorRtProbe() {}

    public static void main(String[] args) {
        try {
            if (args.length > 1 && args[1].equals("late")) {
                // TensorRT loaded the default way first (as a user's code might): the home must be refused
                System.out.println("loaded first: " + org.bytedeco.tensorrt.global.nvinfer.getInferLibVersion());
            }
            if (!args[0].equals("-")) {
                TensorRtHome.use(Path.of(args[0]));
            }
            TensorRtLibrary lib = TensorRtLibrary.load();
            System.out.println("loaded " + lib.release() + " from " + lib.path());
            System.out.println("libnvinfer files mapped: " + mappedCopies());
            if (args.length > 1 && args[1].equals("engine")) {
                engine(lib);
            }
        } catch (TensorRtLibraryException e) {
            System.out.println("refused: " + e.getMessage());
            System.exit(3);
        }
    }

    /** Every distinct libnvinfer file in this process: one, or a second copy came from somewhere. */
    private static java.util.List<String> mappedCopies() {
        return TensorRtLibrary.mappedLibraries();
    }

    private static void engine(TensorRtLibrary lib) {
        ModelInfo model = TestModels.squaresInfo();
        LetterboxedScene scene = new LetterboxedScene(LetterboxGeometry.fit(SyntheticScene.WIDTH, SyntheticScene.HEIGHT,
                model.inputWidth(), model.inputHeight()));
        float[] image = new float[scene.imageFloats()];
        scene.write(37, image, 0);
        float[] expected = new float[model.outputSize()];
        try (OnnxRuntimeEngine ort = new OnnxRuntimeEngine(model, 2)) {
            HostTensor in = HostTensor.allocate(1, 3, model.inputHeight(), model.inputWidth());
            in.data().put(image);
            HostTensor out = HostTensor.allocate(1, model.outputShape()[0], model.outputShape()[1]);
            ort.run(in, out, 1);
            out.data().get(expected);
        }
        try (GpuContext gpu = GpuContext.open(0);
                TensorRtEngine engine = TensorRtEngine.acquire(model, gpu.device(), Precision.FP32, 1);
                TensorRtContext context = engine.newContext(gpu);
                DeviceBuffer input = gpu.allocate(engine.inputBytes(1), "probe input");
                DeviceBuffer output = gpu.allocate(engine.outputBytes(1), "probe output");
                PinnedBuffer hostIn = gpu.allocatePinned(engine.inputBytes(1));
                PinnedBuffer hostOut = gpu.allocatePinned(engine.outputBytes(1))) {
            hostIn.view().order(ByteOrder.nativeOrder()).asFloatBuffer().put(image);
            gpu.copyToDeviceAsync(input.address(), hostIn.pointer(), engine.inputBytes(1));
            gpu.fillAsync(output.address(), (byte) 0xff, engine.outputBytes(1)); // NaN where nothing was written
            context.enqueue(input.address(), output.address(), 1);
            gpu.copyToHostAsync(hostOut, 0, output.address(), engine.outputBytes(1));
            gpu.synchronize();
            float[] got = new float[model.outputSize()];
            hostOut.view().order(ByteOrder.nativeOrder()).asFloatBuffer().get(got);
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Double.isNaN(got[i]) ? Double.POSITIVE_INFINITY : Math.abs(got[i] - expected[i]));
            }
            System.out.printf("engine %s on %s (%s), key TensorRT %s, %s in %d ms; max |TensorRT - ONNX Runtime| = %.6f%n",
                    engine.key().precision(), gpu.device().name(), gpu.device().arch(), engine.key().tensorRt(), engine.origin(),
                    engine.loadMillis(), worst);
            // the engine tests' tolerances: max |difference| over everything includes the boxes of near-zero-score
            // anchors, whose ArgMax may flip (on 2026-12-02 it was 0.0067 model pixels there, against 1e-3)
            try {
                // what the engine test's set-up would have set: the model and its letterboxed scene
                TensorRtEngineGpuTest.model = model;
                TensorRtEngineGpuTest.scene = scene;
                TensorRtEngineGpuTest.assertMatches(Precision.FP32, "probe", got, expected, 1);
                System.out.println("fp32 comparison: MATCHES within TensorRtEngineGpuTest's tolerances");
            } catch (AssertionError | RuntimeException e) {
                System.out.println("fp32 comparison: FAILED: " + e.getMessage().replace('\n', ' '));
            }
            if (engine.key().tensorRtVersion() != lib.version() || engine.key().tensorRtBuild() != lib.build()) {
                System.out.println("key mismatch: the engine key's TensorRT " + engine.key().tensorRt() + " is not the loaded " + lib.release());
            }
        }
    }
}
