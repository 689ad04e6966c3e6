package io.vxflow.operators.slot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TaskManager uses the file the client hashed: its own path when the content matches, else the shipped copy. */
class ModelLocatorTest {
    @TempDir
    Path dir;

    private PipelineSpec specAt(Path model) throws Exception {
        PipelineSpec spec = PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).build();
        return spec.withModelPath(model.toString());
    }

    private File shipped() throws Exception {
        Path s = Files.createDirectories(dir.resolve("cache")).resolve("vxflow-model");
        Files.copy(TestModels.squaresModel(), s, StandardCopyOption.REPLACE_EXISTING);
        return s.toFile();
    }

    @Test
    void theDeclaredPathWhenItHasTheSubmittedContent() throws Exception {
        Path local = dir.resolve("here.onnx");
        Files.copy(TestModels.squaresModel(), local);
        PipelineSpec spec = specAt(local);
        assertThat(ModelLocator.localize(spec, () -> {
            throw new IllegalStateException("the cache must not be consulted");
        })).isSameAs(spec);
    }

    @Test
    void theShippedCopyWhenThePathIsMissingHere() throws Exception {
        PipelineSpec spec = specAt(dir.resolve("elsewhere/model.onnx"));
        File shipped = shipped();
        assertThat(ModelLocator.localize(spec, () -> shipped).model().path()).isEqualTo(shipped.getAbsolutePath());
    }

    @Test
    void theShippedCopyWhenTheFileHereIsADifferentModel() throws Exception {
        Path stale = dir.resolve("stale.onnx");
        Files.write(stale, new byte[] {1, 2, 3});
        PipelineSpec spec = specAt(stale);
        File shipped = shipped();
        assertThat(ModelLocator.localize(spec, () -> shipped).model().path()).isEqualTo(shipped.getAbsolutePath());
    }

    @Test
    void aClearMessageWhenNeitherIsThere() throws Exception {
        PipelineSpec spec = specAt(dir.resolve("elsewhere/model.onnx"));
        assertThatThrownBy(() -> ModelLocator.localize(spec, () -> {
            throw new IllegalArgumentException("no file vxflow-model in the distributed cache");
        })).isInstanceOf(ModelException.class)
                .hasMessageContaining("elsewhere/model.onnx is not readable on this TaskManager and was not shipped with the job");

        Path stale = dir.resolve("stale.onnx");
        Files.write(stale, new byte[] {1, 2, 3});
        PipelineSpec differs = specAt(stale);
        assertThatThrownBy(() -> ModelLocator.localize(differs, () -> {
            throw new IllegalArgumentException("nothing shipped");
        })).isInstanceOf(ModelException.class).hasMessageContaining("differs from the one the job was submitted with");
    }

    @Test
    void aShippedCopyWithOtherContentIsRefused() throws Exception {
        PipelineSpec spec = specAt(dir.resolve("elsewhere/model.onnx"));
        Path wrong = dir.resolve("wrong");
        Files.write(wrong, new byte[] {4, 5, 6});
        assertThatThrownBy(() -> ModelLocator.localize(spec, wrong::toFile)).isInstanceOf(ModelException.class)
                .hasMessageContaining("not the submitted");
    }
}
