package io.vxflow.it;

import static io.vxflow.gpu.testmodel.OnnxProtoWriter.FLOAT;

import io.vxflow.gpu.testmodel.OnnxProtoWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A classifier small enough that inference costs next to nothing on the CPU backend: a 64x64
 * image's mean red, green and blue as the three class scores. For tests about the decode stage and
 * the job around it, where the model is not the point.
 */
final class MeanColourModel {
    static final int SIZE = 64;

    private MeanColourModel() {}

    /** Writes the model to {@code file} and returns it. */
    static Path write(Path file) throws IOException {
        OnnxProtoWriter.Graph g = new OnnxProtoWriter.Graph("mean-colour-64");
        g.input("images", FLOAT, "batch", 3, SIZE, SIZE);
        g.node("GlobalAveragePool", "pooled", List.of("images"));
        g.node("Flatten", "output0", List.of("pooled"), OnnxProtoWriter.intAttr("axis", 1));
        g.output("output0", FLOAT, "batch", 3);
        LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        metadata.put("names", "{0: 'red', 1: 'green', 2: 'blue'}");
        Files.write(file, OnnxProtoWriter.model(g, 8, 17, "vxflow MeanColourModel", "1", metadata));
        return file;
    }
}
