package io.vxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.kafka.KafkaClientProperties;
import io.vxflow.connectors.kafka.KafkaPropertiesFile;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Kafka clients of vxflow against a secured broker, through the command line: the embedded
 * KRaft broker with a SASL_SSL listener (SASL/PLAIN over TLS, a key store made by the JDK's keytool
 * for this run), {@code vxflow produce} publishing and {@code vxflow run} (a local MiniCluster)
 * reading and writing with credentials from {@code --kafka-config} and {@code --kafka-property};
 * wrong or missing credentials refused with a clear message; a SASL_PLAINTEXT broker as well. Every
 * log line (at DEBUG, Kafka's and Flink's included, the broker's too) and all console output of
 * the run is captured, and no secret may appear in it: not the SASL password, not the trust and
 * key store passwords, not a camera URL's password.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecuredKafkaITCase {
    private static final String ALICE_PASSWORD = "alice-Pw-4711-secret";
    private static final String KEY_STORE_PASSWORD = "broker-Ks-0815-secret";
    private static final String TRUST_STORE_PASSWORD = "client-Ts-2342-secret";
    private static final String CAMERA_PASSWORD = "p@ssw0rd-Cam-secret";
    private static final List<String> SECRETS = List.of(ALICE_PASSWORD, KEY_STORE_PASSWORD, TRUST_STORE_PASSWORD, CAMERA_PASSWORD,
            "ssw0rd-Cam-secret");
    private static final int FRAMES = 15;

    @TempDir
    static Path dir;

    private static OutputCapture capture;
    private static EmbeddedKafkaBroker broker;
    private static Path clientConfig;
    private static Path clip;

    @BeforeAll
    static void startSecuredBroker() throws Exception {
        capture = OutputCapture.start();
        TestKeyStores stores = TestKeyStores.create(dir, KEY_STORE_PASSWORD, TRUST_STORE_PASSWORD);
        broker = EmbeddedKafkaBroker.builder().saslPlainUser("alice", ALICE_PASSWORD).tls(stores.keyStore(), KEY_STORE_PASSWORD).build();
        broker.start();
        assertThat(broker.securityProtocol()).isEqualTo("SASL_SSL");
        broker.createTopic("frames", 2);
        broker.createTopic("results", 2);
        // the trust store's password comes with --kafka-property, the rest from the file
        clientConfig = write("client.properties", "security.protocol=SASL_SSL\n"
                + "sasl.mechanism=PLAIN\n"
                + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \\\n"
                + "    username=\"alice\" \\\n"
                + "    password=\"" + ALICE_PASSWORD + "\";\n"
                + "ssl.truststore.type=PKCS12\n"
                + "ssl.truststore.location=" + stores.trustStore() + "\n");
        clip = dir.resolve("clip.h264");
        try (OutputStream out = Files.newOutputStream(clip)) {
            for (AccessUnit u : SyntheticVideoEncoder.encode(SyntheticVideoEncoder.Profile.BASELINE, FRAMES)) {
                out.write(u.data());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (capture != null) {
            capture.close();
        }
    }

    @Test
    @Order(1)
    void producerAndJobReadAndWriteWithCredentials() throws Exception {
        Cli produce = Cli.run("produce", "--bootstrap", broker.bootstrapServers(), "--kafka-config", clientConfig.toString(),
                "--kafka-property", "ssl.truststore.password=" + TRUST_STORE_PASSWORD, "--stream-id", "cam-1", "--fps", "30", clip.toString());
        assertThat(produce.code).as(produce.err).isZero();
        assertThat(produce.out).contains("kafka client properties: sasl.jaas.config=***, sasl.mechanism=PLAIN, security.protocol=SASL_SSL")
                .contains("ssl.truststore.password=***").contains("done: ").contains(" " + FRAMES + " records");

        Cli run = Cli.run("run", "--bootstrap", broker.bootstrapServers(), "--kafka-config", clientConfig.toString(),
                "--kafka-property", "ssl.truststore.password=" + TRUST_STORE_PASSWORD, "--model", "squares", "--backend", "cpu",
                "--from", "earliest", "--bounded", "--parallelism", "1", "--checkpoint-interval-ms", "500");
        assertThat(run.code).as(run.err).isZero();

        List<FrameResult> results = readResults(clientProperties());
        assertThat(results).extracting(FrameResult::stream).containsOnly("cam-1");
        assertThat(results).extracting(FrameResult::frame).containsExactlyElementsOf(range(FRAMES));
        assertThat(results).extracting(FrameResult::pts).isSorted().doesNotHaveDuplicates();
    }

    @Test
    @Order(2)
    void wrongOrMissingCredentialsAreRefusedWithAClearMessage() throws Exception {
        Path wrong = write("wrong.properties", Files.readString(clientConfig).replace(ALICE_PASSWORD, "not-alices-password"));
        Cli refused = Cli.run("produce", "--bootstrap", broker.bootstrapServers(), "--kafka-config", wrong.toString(),
                "--kafka-property", "ssl.truststore.password=" + TRUST_STORE_PASSWORD, clip.toString());
        assertThat(refused.code).isEqualTo(1);
        assertThat(refused.err.lines().findFirst().orElseThrow())
                .startsWith("vxflow produce: Kafka at " + broker.bootstrapServers() + " refused the producer's credentials "
                        + "(check the security.protocol, sasl.* and ssl.* client properties): ")
                .contains("Authentication failed: Invalid username or password")
                .doesNotContain("not-alices-password");

        Cli anonymous = Cli.run("produce", "--bootstrap", broker.bootstrapServers(), "--kafka-property", "max.block.ms=2000", clip.toString());
        assertThat(anonymous.code).isEqualTo(1);
        assertThat(anonymous.err.lines().findFirst().orElseThrow())
                .startsWith("vxflow produce: cannot reach Kafka at " + broker.bootstrapServers() + " for topic 'frames' within 2000 ms "
                        + "(the broker is down or unreachable, its listener expects security settings the client was not given");

        // without the trust store the JDK's default one is used, which does not trust the broker's certificate
        Path untrustedConfig = write("untrusted.properties", Files.readString(clientConfig).replaceAll("(?m)^ssl\\.truststore.*$", ""));
        Cli untrusted = Cli.run("produce", "--bootstrap", broker.bootstrapServers(), "--kafka-config", untrustedConfig.toString(), clip.toString());
        assertThat(untrusted.code).isEqualTo(1);
        assertThat(untrusted.err.lines().findFirst().orElseThrow()).contains("refused the producer's credentials").contains("SSL handshake failed");
    }

    @Test
    @Order(3)
    void saslPlaintextListenerToo() {
        try (EmbeddedKafkaBroker plain = EmbeddedKafkaBroker.builder().saslPlainUser("bob", ALICE_PASSWORD).build()) {
            plain.start();
            assertThat(plain.securityProtocol()).isEqualTo("SASL_PLAINTEXT");
            plain.createTopic("frames", 1);
            String jaas = "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"bob\" password=\""
                    + ALICE_PASSWORD + "\";";
            Cli produce = Cli.run("produce", "--bootstrap", plain.bootstrapServers(), "--kafka-property", "security.protocol=SASL_PLAINTEXT",
                    "--kafka-property", "sasl.mechanism=PLAIN", "--kafka-property", jaas, "--frames", "5", "--fps", "30", clip.toString());
            assertThat(produce.code).as(produce.err).isZero();
            assertThat(produce.out).contains("done: ").contains(" 5 records");
        }
    }

    @Test
    @Order(4)
    void aCameraPasswordNeverShows() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Cli produce = Cli.run("produce", "--bootstrap", broker.bootstrapServers(), "--kafka-config", clientConfig.toString(),
                "rtsp://admin:" + CAMERA_PASSWORD + "@127.0.0.1:" + closed + "/live");
        assertThat(produce.code).isEqualTo(2);
        assertThat(produce.err).startsWith("vxflow produce: cannot connect to rtsp://admin:***@127.0.0.1:" + closed + "/live: ");
    }

    @Test
    @Order(5)
    void noSecretInAnyLogLineOrConsoleOutput() {
        String everything = capture.text();
        // the capture saw the run: vxflow's console, Kafka's client and broker logs, Flink's logs, at DEBUG
        assertThat(everything).contains("vxflow produce: ").contains("vxflow run: frames -> results")
                .contains("ProducerConfig values").contains("ConsumerConfig values").contains("INFO org.apache.flink.runtime")
                .contains("DEBUG org.apache.kafka").contains("sasl.jaas.config = [hidden]");
        for (String secret : SECRETS) {
            assertThat(everything).as("a secret in the output").doesNotContain(secret);
        }
    }

    private static Map<String, String> clientProperties() {
        Map<String, String> p = new java.util.HashMap<>(KafkaPropertiesFile.load(clientConfig));
        p.put("ssl.truststore.password", TRUST_STORE_PASSWORD);
        return p;
    }

    /** Every committed result, read as a read_committed consumer with the client's credentials. */
    private static List<FrameResult> readResults(Map<String, String> client) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClientProperties.merge(Map.of(), client, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())))) {
            List<TopicPartition> parts = consumer.partitionsFor("results").stream()
                    .map(p -> new TopicPartition("results", p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> end = consumer.endOffsets(parts);
            List<FrameResult> results = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!parts.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                assertThat(System.nanoTime()).as("reading results up to %s", end).isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    results.add(ResultJson.decode(r.value()));
                }
            }
            results.sort(java.util.Comparator.comparingLong(FrameResult::frame));
            return results;
        }
    }

    private static List<Long> range(int n) {
        List<Long> out = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }

    private static Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    /** One command line run, its exit code and what it printed (System.out included: commands print there). */
    private record Cli(int code, String out, String err) {
        static Cli run(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream oldOut = System.out;
            System.setOut(new PrintStream(new Tee(oldOut, out), true, StandardCharsets.UTF_8));
            try {
                CommandLine cmd = Vxflow.commandLine();
                cmd.setOut(new PrintWriter(System.out, true));
                cmd.setErr(new PrintWriter(new PrintStream(new Tee(System.err, err), true, StandardCharsets.UTF_8), true));
                int code = cmd.execute(args);
                return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.out.flush();
                System.setOut(oldOut);
            }
        }
    }
}
