package io.vxflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * After {@code mvn package}, everything {@code deploy/Dockerfile} copies from its context (the
 * repository root) exists, so that {@code docker build -f deploy/Dockerfile .} cannot fail on a
 * missing file, and that the job jar it puts in usrlib/ is the one for {@code flink run}. It runs
 * after package (failsafe), which is why it is an ITCase. The GPU libraries
 * come from the gpu-redist profile (about 3 GB, not in the default build): with that profile they are
 * required too; without it their test reports as skipped, saying so.
 */
class ContainerBuildContextITCase {
    /** The jar for {@code flink run} (flink-job/), not the all-in-one {@code job/target/vxflow.jar}: the image has Flink. */
    static final String JOB_JAR = "flink-job/target/vxflow-job.jar";
    static final String JOB_JAR_IN_IMAGE = "/opt/flink/usrlib/vxflow-job.jar";
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
    void theJobJarInUsrlibLeavesFlinkAndLoggingToTheImage() throws IOException {
        // Flink and log4j come from the image's lib/ (Flink loads them parent-first): copies in usrlib/ are dead weight
        try (JarFile jar = new JarFile(DockerfileTest.REPO.resolve(JOB_JAR).toFile())) {
            assertThat(jar.getEntry("io/vxflow/job/cli/Vxflow.class")).as("vxflow's main class in %s", JOB_JAR).isNotNull();
            assertThat(jar.getEntry("org/apache/flink/runtime/taskmanager/Task.class")).as("Flink's runtime in %s", JOB_JAR).isNull();
            assertThat(jar.getEntry("org/apache/logging/log4j/core/Logger.class")).as("log4j in %s", JOB_JAR).isNull();
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
