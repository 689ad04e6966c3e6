package io.vxflow.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the cluster tests find the job jar and keep their processes' logs (set by it/pom.xml for failsafe). */
final class ItFiles {
    private ItFiles() {}

    /** {@code job/target/vxflow.jar}, built by the job module before the it module runs. */
    static Path jobJar() {
        Path jar = Path.of(System.getProperty("vxflow.job.jar", "../job/target/vxflow.jar")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with the reactor first, e.g. mvn -pl it -am verify");
        }
        return jar;
    }

    /** {@code it/target/cluster-logs/<test class>}: one .log and one .out per process, kept after the run. */
    static Path logDir(Class<?> test) {
        return Path.of(System.getProperty("vxflow.it.logs", "target/cluster-logs"), test.getSimpleName()).toAbsolutePath();
    }
}
