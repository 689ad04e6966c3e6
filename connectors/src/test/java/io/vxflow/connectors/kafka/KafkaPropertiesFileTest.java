package io.vxflow.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka client properties files as Kafka's tools read them, and one clear line for each mistake. */
class KafkaPropertiesFileTest {
    @TempDir
    Path dir;

    @Test
    void readsCommentsContinuationLinesAndEmptyValues() throws Exception {
        Path f = write("""
                # SASL over TLS
                security.protocol=SASL_SSL
                ! another comment
                sasl.mechanism : PLAIN
                sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\
                    username="alice" \\
                    password="p@ss=w0rd";
                ssl.endpoint.identification.algorithm=
                client.id vxflow-test
                """);
        assertThat(KafkaPropertiesFile.load(f))
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"p@ss=w0rd\";")
                .containsEntry("ssl.endpoint.identification.algorithm", "")
                .containsEntry("client.id", "vxflow-test")
                .hasSize(5);
    }

    @Test
    void aLineWithoutAValueNamesItsNumberButNotItsText() throws Exception {
        Path f = write("security.protocol=SASL_SSL\n\nhunter2\n");
        assertThatThrownBy(() -> KafkaPropertiesFile.load(f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Kafka client properties file " + f + ": line 3 has no '=' (expected KEY=VALUE)");
    }

    @Test
    void missingFilesDirectoriesBadEscapesAndReservedKeysAreOneLine() throws Exception {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> KafkaPropertiesFile.load(missing)).hasMessage("Kafka client properties file " + missing + " does not exist");
        assertThatThrownBy(() -> KafkaPropertiesFile.load(dir)).hasMessage("Kafka client properties file " + dir + " is a directory");
        Path escape = write("ssl.key.password=\\u12G4secret\n");
        assertThatThrownBy(() -> KafkaPropertiesFile.load(escape)).hasMessageStartingWith("Kafka client properties file " + escape + ": ")
                .hasMessageNotContaining("secret").hasMessageNotContaining("\n");
        Path reserved = write("bootstrap.servers=kafka:9092\n");
        assertThatThrownBy(() -> KafkaPropertiesFile.load(reserved))
                .hasMessage("Kafka client properties file " + reserved + ": the Kafka client property 'bootstrap.servers' is set by vxflow: "
                        + "use --bootstrap (vxflow.kafka.bootstrap)");
        Path latin1 = dir.resolve("latin1.properties");
        Files.write(latin1, "ssl.key.password=gr\u00fcn\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> KafkaPropertiesFile.load(latin1)).hasMessage("Kafka client properties file " + latin1 + " is not UTF-8 text");
    }

    private Path write(String text) throws Exception {
        Path f = Files.createTempFile(dir, "client", ".properties");
        Files.writeString(f, text, StandardCharsets.UTF_8);
        return f;
    }
}
