package io.vxflow.gpu.trt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.cuda.GpuDevice;
import io.vxflow.gpu.infer.ModelInfo;
import java.util.List;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.junit.jupiter.api.Test;

/** The builder settings in the engine key: each one changes the cache file, and the builder can apply every flag vxflow keys. */
class EngineKeyTest {
    static final ModelInfo DYNAMIC = model(0);
    static final ModelInfo FIXED = model(1);
    static final GpuDevice H200 = new GpuDevice(0, 0, "NVIDIA H200", 9, 0, 132, 150L << 30, 13000);

    /** The settings vxflow builds a dynamic-batch model with, for keys made by hand in tests. */
    static BuildSettings settings(Precision precision, int maxBatch) {
        return new BuildSettings(64, 4096, 1, maxBatch, precision == Precision.FP16 ? List.of("+FP16") : List.of("-TF32"));
    }

    @Test
    void vxflowsSettingsAreInTheKey() {
        EngineKey fp16 = EngineKey.of(DYNAMIC, H200, Precision.FP16, 8, 100600, 26);
        assertThat(fp16.build()).isEqualTo(new BuildSettings(64, 4096, 1, 8, List.of("+FP16")));
        assertThat(EngineKey.of(DYNAMIC, H200, Precision.FP32, 8, 100600, 26).build())
                .isEqualTo(new BuildSettings(64, 4096, 1, 8, List.of("-TF32")));
        EngineKey fixed = EngineKey.of(FIXED, H200, Precision.FP16, 8, 100600, 26);
        assertThat(fixed.build().hasProfile()).isFalse();
        assertThat(fixed.canonical()).endsWith(";workspace=64..4096MiB;profile=none;flags=+FP16");
        assertThat(fp16.canonical()).endsWith(";workspace=64..4096MiB;profile=batch 1..8 (opt 8);flags=+FP16");
    }

    @Test
    void everyBuilderSettingChangesTheCacheFileAndIsNamedInTheDifferences() {
        EngineKey base = EngineKey.of(DYNAMIC, H200, Precision.FP16, 8, 100600, 26);
        List<BuildSettings> changed = List.of(new BuildSettings(64, 2048, 1, 8, List.of("+FP16")), new BuildSettings(128, 4096, 1, 8,
                List.of("+FP16")), new BuildSettings(64, 4096, 2, 8, List.of("+FP16")), new BuildSettings(64, 4096, 1, 4, List.of("+FP16")),
                new BuildSettings(64, 4096, 1, 8, List.of("+FP16", "-TF32")), new BuildSettings(64, 4096, 1, 8, List.of("+BF16")));
        for (BuildSettings s : changed) {
            EngineKey other = withSettings(base, s);
            assertThat(other.fileName("m")).as("%s", s).isNotEqualTo(base.fileName("m"));
            assertThat(base.differencesFrom(other)).as("%s", s).hasSize(1).first().asString()
                    .containsAnyOf("workspace", "optimization profile", "builder flags");
        }
        assertThat(base.differencesFrom(withSettings(base, new BuildSettings(64, 4096, 1, 4, List.of("+FP16")))))
                .containsExactly("optimization profile batch 1..8 (opt 4) instead of batch 1..8 (opt 8)");
        assertThat(withSettings(base, base.build()).fileName("m")).isEqualTo(base.fileName("m"));
    }

    @Test
    void theLoadedTensorRtReleaseIsInTheKey() {
        // a system TensorRT (10.8 on Blackwell) and the bundled 10.6 never share an engine: plans load only in the release that built them
        EngineKey bundled = EngineKey.of(DYNAMIC, H200, Precision.FP16, 8, 100600, 26);
        EngineKey system = EngineKey.of(DYNAMIC, H200, Precision.FP16, 8, 100800, 43);
        assertThat(system.fileName("m")).isNotEqualTo(bundled.fileName("m"));
        assertThat(system.canonical()).contains(";tensorrt=100800.43;");
        assertThat(bundled.differencesFrom(system)).containsExactly("TensorRT 10.8.0.43 instead of 10.6.0.26");
        assertThat(EngineKey.of(DYNAMIC, H200, Precision.FP16, 8, 100600, 27).fileName("m")).as("build number").isNotEqualTo(bundled.fileName("m"));
    }

    @Test
    void settingsThatCannotBeBuiltAreRefused() {
        assertThatThrownBy(() -> new BuildSettings(0, 4096, 1, 8, List.of())).hasMessageContaining("workspace");
        assertThatThrownBy(() -> new BuildSettings(128, 64, 1, 8, List.of())).hasMessageContaining("workspace");
        assertThatThrownBy(() -> new BuildSettings(64, 4096, 4, 2, List.of())).hasMessageContaining("profile");
        assertThatThrownBy(() -> new BuildSettings(64, 4096, 1, 8, List.of("FP16"))).hasMessageContaining("+NAME or -NAME");
        BuildSettings opt16 = new BuildSettings(64, 4096, 1, 16, List.of());
        assertThatThrownBy(() -> withSettings(EngineKey.of(DYNAMIC, H200, Precision.FP16, 8, 100600, 26), opt16))
                .hasMessageContaining("opt batch 16 is above its max batch 8");
    }

    @Test
    void everyFlagVxflowKeysIsATensorRtBuilderFlag() {
        for (Precision p : Precision.values()) {
            for (String flag : BuildSettings.of(DYNAMIC, p, 8).flags()) {
                assertThat(OnnxEngineBuilder.builderFlag(flag).name()).isEqualTo("k" + flag.substring(1));
            }
        }
        assertThat(OnnxEngineBuilder.builderFlag("-TF32")).isEqualTo(BuilderFlag.kTF32);
        assertThatThrownBy(() -> OnnxEngineBuilder.builderFlag("+NO_SUCH_FLAG")).hasMessageContaining("no builder flag kNO_SUCH_FLAG");
    }

    private static EngineKey withSettings(EngineKey k, BuildSettings s) {
        return new EngineKey(k.modelSha256(), k.tensorRtVersion(), k.tensorRtBuild(), k.gpuName(), k.ccMajor(), k.ccMinor(), k.precision(),
                k.maxBatch(), k.inputType(), s);
    }

    private static ModelInfo model(int fixedBatch) {
        return new ModelInfo("m", "/nowhere/m.onnx", "ef".repeat(32), "images", 640, 640, fixedBatch, "output0", new long[] {7, 6400},
                ModelInfo.Kind.YOLO_DETECTOR, List.of("a", "b", "c"));
    }
}
