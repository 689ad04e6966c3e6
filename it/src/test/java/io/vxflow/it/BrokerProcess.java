package io.vxflow.it;

import io.vxflow.it.cluster.ChildJvm;
import io.vxflow.it.cluster.StandaloneFlinkCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * vxflow's own Kafka broker ({@code java -cp vxflow.jar io.vxflow.job.cli.Vxflow broker --port P
 * --dir D}) in a JVM of its own, so that it can die as a machine would: {@link #kill} sends
 * SIGKILL, {@link #start} brings it back on the same port and data directory. Owns the current
 * broker process; each incarnation's output is in {@code broker-N.out} in the log directory.
 */
final class BrokerProcess implements AutoCloseable {
    private static final String READY = "Kafka broker (KRaft) on ";
    private final int port;
    private final Path dataDir;
    private final Path logDir;
    private final List<String> topics;
    private final int partitions;
    private ChildJvm process;
    private int starts;
    private Duration cpuOfKilled = Duration.ZERO;

    BrokerProcess(Path dataDir, Path logDir, List<String> topics, int partitions) {
        this.port = freePort();
        this.dataDir = dataDir;
        this.logDir = logDir;
        this.topics = List.copyOf(topics);
        this.partitions = partitions;
    }

    /** Starts the broker (formatting the directory the first time) and returns once it serves clients. */
    void start() {
        String name = "broker-" + ++starts;
        process = ChildJvm.start(name, List.of("-Xmx768m", "-XX:+UseParallelGC"), ItFiles.cliJar().toString(), "io.vxflow.job.cli.Vxflow",
                List.of("broker", "--port", Integer.toString(port), "--dir", dataDir.toString(), "--topics", String.join(",", topics),
                        "--partitions", Integer.toString(partitions)),
                Map.of(), dataDir.getParent(), logDir);
        ChildJvm p = process;
        StandaloneFlinkCluster.await(name + " to serve on port " + port, Duration.ofMinutes(2), () -> p.output().contains(READY), p);
    }

    /** SIGKILL: no controlled shutdown, whatever was in flight stays as it was. */
    void kill() {
        process.kill();
        cpuOfKilled = cpuOfKilled.plus(process.cpuTime());
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** CPU time of every incarnation so far. */
    Duration cpuTime() {
        return process == null || !process.isAlive() ? cpuOfKilled : cpuOfKilled.plus(process.cpuTime());
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
