package io.vxflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged {@code target/vxflow-job.jar} (so a failsafe test: it runs after {@code package}) holds what
 * {@code flink run} needs from the job and nothing a Flink distribution already has: no Flink runtime, no
 * logging, no Kafka broker, no Scala; the Kafka connector and the Kafka clients are in, and so is what
 * no Flink distribution has: Jackson, picocli, JavaCPP with FFmpeg and the CUDA bindings, ONNX Runtime.
 * {@code ClusterSubmitITCase} (it/) runs this jar on a standalone cluster of Flink's own jars.
 */
class VxflowJobJarITCase {
    private static JarFile jar;
    private static Set<String> entries;

    @BeforeAll
    static void open() throws IOException {
        Path file = Path.of("target", "vxflow-job.jar");
        assertThat(file).as("run 'mvn package' first").isRegularFile();
        jar = new JarFile(file.toFile());
        entries = jar.stream().map(e -> e.getName()).collect(Collectors.toSet());
    }

    @AfterAll
    static void close() throws IOException {
        jar.close();
    }

    @Test
    void startsTheVxflowCommandLine() throws IOException {
        assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class")).isEqualTo("io.vxflow.job.cli.Vxflow");
        assertThat(entries).contains("io/vxflow/job/cli/Vxflow.class", "io/vxflow/job/VxflowJob.class",
                "io/vxflow/operators/stages/ResultOperator.class", "io/vxflow/gpu/infer/ModelInfo.class");
    }

    @Test
    void carriesTheNativesTheTaskManagersLoad() {
        assertThat(entries).anyMatch(e -> e.startsWith("org/bytedeco/ffmpeg/linux-x86_64/libavcodec.so"));
        assertThat(entries).anyMatch(e -> e.startsWith("org/bytedeco/cuda/linux-x86_64/libjnicudart.so"));
        assertThat(entries).anyMatch(e -> e.startsWith("ai/onnxruntime/native/linux-x64/"));
    }

    @Test
    void carriesWhatAFlinkDistributionLacks() {
        // Flink's own Jackson is relocated (org.apache.flink.shaded.jackson2): vxflow's JSON needs its own
        assertThat(entries).contains("com/fasterxml/jackson/databind/ObjectMapper.class",
                "com/fasterxml/jackson/datatype/jsr310/JavaTimeModule.class", "picocli/CommandLine.class",
                "io/vxflow/codec/AccessUnit.class", "io/vxflow/connectors/results/FrameResult.class",
                "org/bytedeco/javacpp/Loader.class", "org/bytedeco/javacpp/linux-x86_64/libjnijavacpp.so",
                "ai/onnxruntime/OrtEnvironment.class");
    }

    @Test
    void flinkClassesAreTheKafkaConnectorsOnly() throws IOException, URISyntaxException {
        Set<String> connector = entriesOfTheJarHolding("org/apache/flink/connector/kafka/source/KafkaSource.class");
        Set<String> flink = entries.stream().filter(e -> e.startsWith("org/apache/flink/") && e.endsWith(".class"))
                .collect(Collectors.toSet());
        assertThat(flink).contains("org/apache/flink/connector/kafka/source/KafkaSource.class",
                "org/apache/flink/connector/kafka/sink/KafkaSink.class");
        assertThat(connector).containsAll(flink);
        assertThat(entries).doesNotContain("org/apache/flink/streaming/api/environment/StreamExecutionEnvironment.class",
                "org/apache/flink/runtime/taskmanager/Task.class", "org/apache/flink/connector/base/DeliveryGuarantee.class");
    }

    @Test
    void kafkaClassesAreTheClientsOnly() throws IOException, URISyntaxException {
        Set<String> clients = entriesOfTheJarHolding("org/apache/kafka/clients/producer/KafkaProducer.class");
        assertThat(entries).contains("org/apache/kafka/clients/consumer/KafkaConsumer.class");
        assertThat(clients).containsAll(entries.stream()
                .filter(e -> e.startsWith("org/apache/kafka/") && e.endsWith(".class")).collect(Collectors.toSet()));
        assertThat(entries).noneMatch(e -> e.startsWith("kafka/server/") || e.startsWith("kafka/") && e.endsWith(".class"));
    }

    @Test
    void noScalaAndNoLogging() {
        assertThat(entries).noneMatch(e -> e.startsWith("scala/"));
        assertThat(entries).noneMatch(e -> e.startsWith("org/apache/logging/") || e.startsWith("org/slf4j/"));
        assertThat(entries).doesNotContain("log4j2.xml");
    }

    /** The entries of the dependency jar on the test class path that holds a resource (by name: Flink is not on it). */
    private static Set<String> entriesOfTheJarHolding(String resource) throws IOException, URISyntaxException {
        URL url = VxflowJobJarITCase.class.getClassLoader().getResource(resource);
        assertThat(url).as(resource).isNotNull();
        assertThat(url.getProtocol()).as("%s comes from a jar", resource).isEqualTo("jar");
        Path location = Path.of(((JarURLConnection) url.openConnection()).getJarFileURL().toURI());
        try (JarFile j = new JarFile(location.toFile())) {
            return j.stream().map(e -> e.getName()).collect(Collectors.toSet());
        }
    }
}
