package io.vxflow.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/Dockerfile} against the build: the Flink image of the Flink version the job is built
 * with, the job jar where the FlinkDeployment's jarURI points, the GPU libraries from where the
 * gpu-redist profile puts them, and an ignore file that lets exactly the copied paths into the context.
 */
class DockerfileTest {
    static final Path REPO = FlinkDeploymentTest.DEPLOY.getParent();

    @Test
    void baseIsTheOfficialFlinkImageOfTheBuildsFlinkVersionOnJava17() throws IOException {
        Matcher flink = Pattern.compile("<flink\\.version>([^<]+)</flink\\.version>").matcher(Files.readString(REPO.resolve("pom.xml")));
        assertThat(flink.find()).isTrue();
        assertThat(dockerfile().from()).isEqualTo("flink:" + flink.group(1) + "-java17");
    }

    @Test
    void jobJarGoesToUsrlibAndGpuLibrariesToLib() throws IOException {
        assertThat(dockerfile().destinationOf(ContainerBuildContextITCase.JOB_JAR)).isEqualTo(ContainerBuildContextITCase.JOB_JAR_IN_IMAGE);
        assertThat(dockerfile().destinationOf(ContainerBuildContextITCase.GPU_LIB)).isEqualTo("/opt/flink/lib/");
        // where mvn -pl deploy -Pgpu-redist package puts them
        assertThat(Files.readString(REPO.resolve("deploy/pom.xml")))
                .contains("<outputDirectory>${project.build.directory}/" + Path.of(ContainerBuildContextITCase.GPU_LIB).getFileName() + "</outputDirectory>");
    }

    @Test
    void ignoreFileLetsExactlyTheCopiedPathsIntoTheContext() throws IOException {
        var lines = Files.readAllLines(REPO.resolve("deploy/Dockerfile.dockerignore")).stream()
                .map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(lines.get(0)).isEqualTo("*");
        assertThat(lines.subList(1, lines.size())).allSatisfy(l -> assertThat(l).startsWith("!"));
        assertThat(lines.subList(1, lines.size()).stream().map(l -> l.substring(1)))
                .containsExactlyInAnyOrderElementsOf(dockerfile().sources());
    }

    static DockerfileCopies dockerfile() throws IOException {
        return DockerfileCopies.read(REPO.resolve("deploy/Dockerfile"));
    }
}
