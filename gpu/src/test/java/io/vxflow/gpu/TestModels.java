package io.vxflow.gpu;

import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.infer.ModelInspector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The known-answer detector shipped in the gpu jar, copied to a file for engines that need a path. */
public final class TestModels {
    private static Path squares;

    private TestModels() {}

    public static synchronized Path squaresModel() {
        if (squares == null) {
            try (InputStream in = TestModels.class.getResourceAsStream("/io/vxflow/gpu/models/squares-640.onnx")) {
                Path p = Files.createTempFile("squares-640", ".onnx");
                Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
                p.toFile().deleteOnExit();
                squares = p;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return squares;
    }

    public static ModelInfo squaresInfo() {
        return ModelInspector.inspect(squaresModel());
    }
}
