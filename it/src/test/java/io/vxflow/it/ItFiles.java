package io.vxflow.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the cluster tests find the two jars and keep their processes' logs (set by it/pom.xml for failsafe). */
final class ItFiles {
    private ItFiles() {}

    /**
     * {@code flink-job/target/vxflow-job.jar}, the jar for {@code flink run}: without Flink, logging or the
     * broker, which the cluster's own class path ({@code it/target/flink/lib}) provides or the job never uses.
     * Built by the flink-job module before the it module runs (it/pom.xml depends on it).
     */
    static Path flinkJobJar() {
        return built("vxflow.flink.job.jar", "../flink-job/target/vxflow-job.jar");
    }

    /** {@code job/target/vxflow.jar}, the all-in-one jar of {@code java -jar}: the broker process runs from it. */
    static Path cliJar() {
        return built("vxflow.cli.jar", "../job/target/vxflow.jar");
    }

    private static Path built(String property, String fallback) {
        Path jar = Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build it with the reactor first, e.g. mvn -pl it -am verify");
        }
        return jar;
    }

    /**
     * {@code it/target/cluster-logs/<test class>}: one .log and one .out per process, kept after the
     * run. Emptied first: processes append to their files (a restarted broker continues its own), so
     * an earlier run's lines would otherwise precede this run's (and its job ids be read as this run's).
     */
    static Path logDir(Class<?> test) {
        Path dir = Path.of(System.getProperty("vxflow.it.logs", "target/cluster-logs"), test.getSimpleName()).toAbsolutePath();
        if (Files.isDirectory(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!f.equals(dir)) {
                        Files.delete(f);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot empty " + dir, e);
            }
        }
        return dir;
    }
}
