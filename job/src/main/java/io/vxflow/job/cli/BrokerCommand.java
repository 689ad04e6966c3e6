package io.vxflow.job.cli;

import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vxflow broker}: the embedded single-node KRaft Kafka broker on its own, until Ctrl-C. */
@Command(name = "broker", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a single-node Kafka broker (KRaft, in-process) for local experiments.",
            "Data is kept in --dir across restarts; without --dir it lives in a temporary directory."})
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "P", defaultValue = "9092", description = "Listener port on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--dir", paramLabel = "DIR", description = "Data directory (formatted on first use, reused after).")
    Path dir;

    @Option(names = "--topics", paramLabel = "NAME", split = ",", defaultValue = "frames,results",
            description = "Topics to create (default: ${DEFAULT-VALUE}).")
    List<String> topics;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "8", description = "Partitions per created topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "A Kafka broker property, e.g. -Dlog.retention.ms=120000.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        PipelineFlags.require(port >= 0 && port <= 65535, "--port must be 0..65535");
        PipelineFlags.require(partitions > 0, "--partitions must be positive");
        EmbeddedKafkaBroker.Builder b = EmbeddedKafkaBroker.builder().port(port);
        if (dir != null) {
            b.dataDirectory(dir);
        }
        properties.forEach(b::property);
        EmbeddedKafkaBroker broker = b.build();
        broker.start();
        for (String t : topics) {
            broker.createTopic(t, partitions);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "vxflow-broker-shutdown"));
        System.out.printf("Kafka broker (KRaft) on %s, data in %s, topics %s; Ctrl-C to stop.%n", broker.bootstrapServers(),
                broker.dataDirectory(), topics);
        stopped.await();
        return 0;
    }
}
