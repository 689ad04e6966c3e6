package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameRecordParser;
import io.vxflow.connectors.frames.FramesWireFormat;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FramePublisher against a real in-process Kafka broker, read back with a plain KafkaConsumer and
 * the frames topic's own parser: records are exactly the wire format, counts are exact, big
 * access units fit, and an unreachable broker is a clear error in bounded time.
 */
class FramePublisherITCase {
    private static EmbeddedKafkaBroker broker;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.builder().build();
        broker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void fileAsThreeStreamsArrivesAsValidRecordsInOrder() {
        broker.createTopic("frames-three", 3);
        Path file = TestClips.write(TestClips.of(Profile.BASELINE), dir, "mp4");
        List<AccessUnit> units;
        try (AccessUnitReader reader = AccessUnitReader.open(file)) {
            units = AccessUnitReaderTest.readAll(reader);
        }
        List<String> streams = List.of("cam-0", "cam-1", "cam-2");
        long videoBytes = units.stream().mapToLong(u -> u.data().length).sum();

        try (FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), "frames-three")) {
            for (AccessUnit u : units) {
                for (String s : streams) {
                    publisher.publish(s, u);
                }
            }
            publisher.flush();
            assertThat(publisher.recordsSent()).isEqualTo(3L * units.size());
            assertThat(publisher.bytesSent()).isEqualTo(3 * videoBytes);
        }

        Map<String, List<AccessUnit>> byStream = parseAll(FramesTopicReader.readAll(broker.bootstrapServers(),
                "frames-three"));
        assertThat(byStream).containsOnlyKeys(streams);
        for (String s : streams) {
            List<AccessUnit> got = byStream.get(s);
            assertThat(got).as(s).hasSize(units.size());
            for (int i = 0; i < units.size(); i++) {
                assertThat(got.get(i).codec()).isEqualTo(Codec.H264);
                assertThat(got.get(i).ptsMicros()).isEqualTo(units.get(i).ptsMicros());
                assertThat(got.get(i).keyframe()).isEqualTo(units.get(i).keyframe());
                assertThat(Arrays.equals(got.get(i).data(), units.get(i).data())).as("bytes of %s frame %d", s, i).isTrue();
            }
        }
    }

    @Test
    void headersAreTheWireFormatsAsciiValues() {
        AccessUnit key = new AccessUnit(Codec.HEVC, 1_234_567L, true, new byte[] {0, 0, 0, 1, 0x26, 1});
        AccessUnit delta = new AccessUnit(Codec.HEVC, 1_267_900L, false, new byte[] {0, 0, 0, 1, 0x02, 1});
        try (FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), "frames-headers")) {
            publisher.publish("lobby", key);
            publisher.publish("lobby", delta);
            publisher.flush();
        }
        List<ConsumerRecord<byte[], byte[]>> records = FramesTopicReader.readAll(broker.bootstrapServers(),
                "frames-headers");
        assertThat(records).hasSize(2);
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("lobby");
        assertThat(header(records.get(0), FramesWireFormat.HEADER_CODEC)).isEqualTo("hevc");
        assertThat(header(records.get(0), FramesWireFormat.HEADER_PTS)).isEqualTo("1234567");
        assertThat(header(records.get(0), FramesWireFormat.HEADER_KEY)).isEqualTo("1");
        assertThat(header(records.get(1), FramesWireFormat.HEADER_KEY)).isEqualTo("0");
        assertThat(records.get(1).value()).isEqualTo(delta.data());
    }

    @Test
    void accessUnitOfFiveMebibytesIsPublished() {
        byte[] big = new byte[5 * 1024 * 1024];
        new Random(3).nextBytes(big);
        try (FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), "frames-big")) {
            publisher.publish("big", new AccessUnit(Codec.H264, 0, true, big));
            publisher.flush();
            assertThat(publisher.bytesSent()).isEqualTo(big.length);
        }
        List<ConsumerRecord<byte[], byte[]>> records = FramesTopicReader.readAll(broker.bootstrapServers(), "frames-big");
        assertThat(records).hasSize(1);
        assertThat(Arrays.equals(records.get(0).value(), big)).as("the 5 MiB value read back").isTrue();
    }

    @Test
    void unreachableBrokerIsAClearErrorWithinMaxBlock() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String bootstrap = "127.0.0.1:" + port;
        long start = System.nanoTime();
        assertThatThrownBy(() -> new FramePublisher(bootstrap, "frames", Map.of("max.block.ms", "2000")).close())
                .isInstanceOf(PublishException.class)
                .hasMessageStartingWith("cannot reach Kafka at " + bootstrap + " for topic 'frames' within 2000 ms");
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("gave up after %d ms", millis).isBetween(1_900L, 6_000L);
    }

    @Test
    void unresolvableBootstrapAddressIsAClearError() {
        assertThatThrownBy(() -> new FramePublisher("no-such-host.invalid:9092", "frames").close())
                .isInstanceOf(PublishException.class)
                .hasMessageStartingWith("cannot create a Kafka producer for no-such-host.invalid:9092: ");
    }

    static Map<String, List<AccessUnit>> parseAll(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<String, List<AccessUnit>> byStream = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            FrameRecord parsed = FrameRecordParser.parse(r);
            assertThat(parsed.isValid()).as("record %s: %s", r.offset(), parsed.detail()).isTrue();
            byStream.computeIfAbsent(parsed.streamId(), k -> new ArrayList<>()).add(parsed.unit());
        }
        return byStream;
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.US_ASCII);
    }
}
