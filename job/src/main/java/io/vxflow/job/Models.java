package io.vxflow.job;

import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.ModelInspector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Resolves the {@code --model} argument: a path to an ONNX file, or {@code squares}, the built-in
 * known-answer detector of the synthetic test scene (extracted from the jar to a temporary file).
 */
public final class Models {
    public static final String BUILTIN_SQUARES = "squares";
    private static final String SQUARES_RESOURCE = "/io/vxflow/gpu/models/squares-640.onnx";

    private Models() {}

    /** Checks the model and describes it; {@link ModelException} with a one-line reason otherwise. */
    public static ModelInfo inspect(String model) {
        return ModelInspector.inspect(path(model));
    }

    static Path path(String model) {
        if (model == null || model.isBlank()) {
            throw new ModelException("no model given: pass --model FILE.onnx (or --model squares for the built-in test detector)");
        }
        if (!BUILTIN_SQUARES.equals(model)) {
            return Path.of(model);
        }
        try (InputStream in = Models.class.getResourceAsStream(SQUARES_RESOURCE)) {
            if (in == null) {
                throw new ModelException("the built-in model is missing from this build");
            }
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "vxflow-models");
            Files.createDirectories(dir);
            Path out = dir.resolve("squares-640.onnx");
            Path tmp = Files.createTempFile(dir, "squares", ".tmp");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return out;
        } catch (IOException e) {
            throw new ModelException("cannot extract the built-in model: " + e.getMessage(), e);
        }
    }
}
