package io.vxflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * After {@code mvn package}, everything {@code deploy/Dockerfile} copies from its context (the
 * repository root) exists, so that {@code docker build -f deploy/Dockerfile .} cannot fail on a
 * missing file. It runs after package (failsafe), which is why it is an ITCase. The GPU libraries
 * come from the gpu-redist profile (about 3 GB, not in the default build): with that profile they are
 * required too; without it their test reports as skipped, saying so.
 */
class ContainerBuildContextITCase {
    static final String JOB_JAR = "job/target/vxflow.jar";
    static final String JOB_JAR_IN_IMAGE = "/opt/flink/usrlib/vxflow.jar";
    static final String GPU_LIB = "deploy/target/gpu-lib/";

    @Test
    void everythingTheImageCopiesWasBuilt() throws IOException {
        List<String> sources = DockerfileTest.dockerfile().sources();
        assertThat(sources).contains(JOB_JAR, GPU_LIB);
        for (String source : sources) {
            if (!source.equals(GPU_LIB)) {
                Path p = DockerfileTest.REPO.resolve(source);
                assertThat(p).as("COPY %s in deploy/Dockerfile", source).exists();
                assertThat(Files.size(p)).as(source).isPositive();
            }
        }
    }

    @Test
    void theGpuLibrariesWereBuiltWithTheGpuRedistProfile() throws IOException {
        assumeTrue(Boolean.getBoolean("vxflow.gpu-redist"),
                "the image's GPU libraries come from 'mvn -pl deploy -Pgpu-redist package' (about 3 GB); not part of this build");
        Path lib = DockerfileTest.REPO.resolve(GPU_LIB);
        assertThat(lib).isDirectory();
        try (Stream<Path> jars = Files.list(lib)) {
            assertThat(jars.map(p -> p.getFileName().toString()))
                    .anySatisfy(n -> assertThat(n).startsWith("cuda-").endsWith("-redist.jar"))
                    .anySatisfy(n -> assertThat(n).startsWith("tensorrt-").endsWith("-redist.jar"));
        }
    }
}
