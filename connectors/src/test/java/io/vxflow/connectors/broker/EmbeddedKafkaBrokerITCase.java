package io.vxflow.connectors.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker against real Kafka clients: what Flink's exactly-once KafkaSink and the
 * KafkaSource need (transactions on one node, read_committed, large records, auto-created
 * topics), restart on the same data directory, and a clean close.
 */
class EmbeddedKafkaBrokerITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int TWO_MIB = 2 * 1024 * 1024;

    private static EmbeddedKafkaBroker shared;

    @BeforeAll
    static void startSharedBroker() {
        shared = EmbeddedKafkaBroker.builder().build();
        long start = System.nanoTime();
        shared.start();
        System.out.printf("EmbeddedKafkaBroker.start() took %d ms%n", (System.nanoTime() - start) / 1_000_000);
    }

    @AfterAll
    static void closeSharedBroker() {
        shared.close();
    }

    @Test
    void listensOnLoopbackAtThePickedPort() {
        assertThat(shared.port()).isPositive();
        assertThat(shared.bootstrapServers()).isEqualTo("127.0.0.1:" + shared.port());
        assertThat(shared.clusterId()).isNotBlank();
    }

    @Test
    void readCommittedConsumerSeesExactlyTheCommittedTransaction() throws Exception {
        assertThat(shared.createTopic("tx-frames", 3)).isTrue();
        assertThat(shared.createTopic("tx-frames", 3)).as("second creation of the same topic").isFalse();
        List<String> aborted = values("aborted", 20);
        List<String> committed = values("committed", 100);

        try (KafkaProducer<String, String> producer = transactionalProducer(shared, "vxflow-it-tx")) {
            producer.initTransactions();
            sendInTransaction(producer, "tx-frames", aborted);
            producer.abortTransaction();
            sendInTransaction(producer, "tx-frames", committed);
            producer.commitTransaction();
        }

        List<String> read = readAll(shared, "tx-frames", "read_committed", StringDeserializer.class).stream()
                .map(r -> (String) r.value()).collect(Collectors.toList());
        assertThat(read).hasSize(committed.size()).containsExactlyInAnyOrderElementsOf(committed);
        List<Object> readUncommitted = readAll(shared, "tx-frames", "read_uncommitted", StringDeserializer.class)
                .stream().map(ConsumerRecord::value).collect(Collectors.toList());
        assertThat(readUncommitted).as("read_uncommitted also sees the aborted records")
                .hasSize(aborted.size() + committed.size());
    }

    @Test
    void twoMebibyteRecordRoundTrips() throws Exception {
        byte[] payload = new byte[TWO_MIB];
        new Random(42).nextBytes(payload);

        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, shared.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 4 * 1024 * 1024,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class))) {
            producer.send(new ProducerRecord<>("keyframes", "stream-1".getBytes(), payload)).get();
        }

        List<ConsumerRecord<Object, Object>> read = readAll(shared, "keyframes", "read_committed",
                ByteArrayDeserializer.class);
        assertThat(read).hasSize(1);
        assertThat((byte[]) read.get(0).value()).hasSize(TWO_MIB).isEqualTo(payload);
    }

    @Test
    void brokerHasTheSettingsFlinksExactlyOnceSinkNeeds() throws Exception {
        ConfigResource node = new ConfigResource(ConfigResource.Type.BROKER,
                String.valueOf(EmbeddedBrokerConfig.NODE_ID));
        Config config;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, shared.bootstrapServers()))) {
            config = admin.describeConfigs(List.of(node)).all().get().get(node);
        }
        assertThat(Long.parseLong(config.get("transaction.max.timeout.ms").value()))
                .isGreaterThanOrEqualTo(Duration.ofHours(1).toMillis());
        assertThat(Integer.parseInt(config.get("message.max.bytes").value())).isGreaterThanOrEqualTo(8 << 20);
        assertThat(Integer.parseInt(config.get("replica.fetch.max.bytes").value())).isGreaterThanOrEqualTo(8 << 20);
        assertThat(config.get("transaction.state.log.replication.factor").value()).isEqualTo("1");
        assertThat(config.get("transaction.state.log.min.isr").value()).isEqualTo("1");
        assertThat(config.get("offsets.topic.replication.factor").value()).isEqualTo("1");
        assertThat(config.get("group.initial.rebalance.delay.ms").value()).isEqualTo("0");
        assertThat(config.get("auto.create.topics.enable").value()).isEqualTo("true");
    }

    @Test
    void restartOnTheSameDataDirectoryKeepsClusterAndRecords(@TempDir Path dataDirectory) throws Exception {
        List<String> written = values("before-restart", 10);
        String clusterId;
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build()) {
            first.start();
            clusterId = first.clusterId();
            first.createTopic("durable", 2);
            try (KafkaProducer<String, String> producer = transactionalProducer(first, "vxflow-it-restart")) {
                producer.initTransactions();
                sendInTransaction(producer, "durable", written);
                producer.commitTransaction();
            }
        }
        assertThat(dataDirectory.resolve("meta.properties")).as("a given directory is kept on close").exists();

        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build()) {
            second.start();
            assertThat(second.clusterId()).as("the directory is reused, not reformatted").isEqualTo(clusterId);
            assertThat(second.createTopic("durable", 2)).as("the topic survived the restart").isFalse();
            List<Object> read = readAll(second, "durable", "read_committed", StringDeserializer.class).stream()
                    .map(ConsumerRecord::value).collect(Collectors.toList());
            assertThat(read).containsExactlyInAnyOrderElementsOf(written);
        }
    }

    @Test
    void secondBrokerOnADirectoryInUseFailsAndLeavesTheFirstRunning(@TempDir Path dataDirectory) {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build()) {
            first.start();
            EmbeddedKafkaBroker second = EmbeddedKafkaBroker.builder().dataDirectory(dataDirectory).build();

            assertThatThrownBy(second::start)
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining(dataDirectory.toString())
                    .hasMessageContaining("in use by another broker");
            assertThat(first.createTopic("after-second-attempt", 1)).isTrue();
        }
    }

    @Test
    void closeStopsEveryKafkaThreadAndDeletesTheTemporaryDirectory() throws Exception {
        Set<Thread> before = liveThreads();
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build();
        broker.start();
        Path dataDirectory = broker.dataDirectory();
        broker.createTopic("short-lived", 1);
        assertThat(newThreads(before)).as("threads of a running broker").filteredOn(t -> !t.isDaemon()).isNotEmpty();

        broker.close();
        broker.close(); // idempotent

        awaitCondition(() -> newThreads(before).stream().noneMatch(EmbeddedKafkaBrokerITCase::isLeftOver),
                () -> "threads left after close: " + newThreads(before));
        assertThat(dataDirectory).doesNotExist();
        assertThatThrownBy(broker::bootstrapServers).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(broker::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void portInUseFailsWithAMessageNamingThePort() throws IOException {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = taken.getLocalPort();
            EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().port(port).build();

            assertThatThrownBy(broker::start)
                    .isInstanceOf(BrokerStartException.class)
                    .hasMessageContaining("port " + port)
                    .hasMessageContaining("already in use");
            broker.close();
        }
    }

    @Test
    void builderRejectsWhatCannotWork(@TempDir Path directory) throws IOException {
        Path file = Files.createFile(directory.resolve("not-a-directory"));
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().port(70000).build())
                .hasMessageContaining("70000");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().listenerHost("0.0.0.0").build())
                .hasMessageContaining("wildcard");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().dataDirectory(file).build())
                .hasMessageContaining("not a directory");
        assertThatThrownBy(() -> EmbeddedKafkaBroker.builder().property("listeners", "PLAINTEXT://:9092"))
                .hasMessageContaining("'listeners'");
    }

    private static List<String> values(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + "-" + i).collect(Collectors.toList());
    }

    private static KafkaProducer<String, String> transactionalProducer(EmbeddedKafkaBroker broker, String id) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                // Flink's KafkaSink default; the broker must allow it.
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) Duration.ofHours(1).toMillis(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
    }

    private static void sendInTransaction(KafkaProducer<String, String> producer, String topic, List<String> values)
            throws Exception {
        producer.beginTransaction();
        for (String value : values) {
            producer.send(new ProducerRecord<>(topic, value, value)).get();
        }
    }

    /** Every record of every partition of {@code topic} up to its end offset as of now. */
    private static List<ConsumerRecord<Object, Object>> readAll(EmbeddedKafkaBroker broker, String topic,
            String isolationLevel, Class<?> valueDeserializer) {
        try (KafkaConsumer<Object, Object> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, valueDeserializer))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
            List<ConsumerRecord<Object, Object>> records = new ArrayList<>();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p))) {
                assertThat(System.nanoTime()).as("reading %s up to %s", topic, end).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    private static List<Thread> newThreads(Set<Thread> before) {
        return liveThreads().stream().filter(t -> !before.contains(t))
                .sorted(Comparator.comparing(Thread::getName)).collect(Collectors.toList());
    }

    /**
     * Any non-daemon thread would keep the JVM alive. Yammer Metrics starts two daemon
     * "metrics-meter-tick-thread"s once per JVM for its global registry; they are shared by every
     * broker started in the JVM and stopped by none, so they are the only ones allowed to stay.
     */
    private static boolean isLeftOver(Thread thread) {
        return !thread.isDaemon() || !thread.getName().startsWith("metrics-meter-tick-thread");
    }

    private static void awaitCondition(BooleanSupplier condition, Supplier<String> failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            Thread.sleep(20);
        }
    }
}
