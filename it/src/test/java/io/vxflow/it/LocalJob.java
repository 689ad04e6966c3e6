package io.vxflow.it;

import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.job.JobOptions;
import io.vxflow.job.VxflowJob;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The vxflow job in this JVM's local Flink (a MiniCluster per job) on an embedded broker, started
 * fresh or from a savepoint, and the wait for its committed results: what the restore tests do
 * twice in each test.
 */
final class LocalJob {
    private LocalJob() {}

    /**
     * The job's options: {@code frames-<name>} in, {@code results-<name>} out (transactional ids
     * {@code it-<name>}), CPU backend, from the earliest offsets, a checkpoint every {@code checkpointInterval}.
     */
    static Configuration options(EmbeddedKafkaBroker broker, String name, Duration checkpointInterval) {
        Configuration conf = new Configuration();
        conf.set(JobOptions.BOOTSTRAP, broker.bootstrapServers());
        conf.set(JobOptions.FRAMES_TOPIC, "frames-" + name);
        conf.set(JobOptions.RESULTS_TOPIC, "results-" + name);
        conf.set(JobOptions.BACKEND, "cpu");
        conf.set(JobOptions.STARTING_OFFSETS, "earliest");
        conf.set(JobOptions.CHECKPOINT_INTERVAL, checkpointInterval);
        conf.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "it-" + name);
        return conf;
    }

    /** Submits the job, restored from {@code savepoint} unless it is null; returns once it runs (or after a minute). */
    static JobClient start(Configuration options, ModelInfo model, int parallelism, String savepoint) throws Exception {
        Configuration env = new Configuration();
        if (savepoint != null) {
            env.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment e = StreamExecutionEnvironment.getExecutionEnvironment(env);
        e.setParallelism(parallelism);
        JobClient client = e.executeAsync(VxflowJob.build(e, options, model));
        long deadline = System.currentTimeMillis() + 60_000;
        while (client.getJobStatus().get() != JobStatus.RUNNING && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        return client;
    }

    /** Waits until at least {@code n} results of all streams together are committed to {@code topic}. */
    static void awaitCommitted(EmbeddedKafkaBroker broker, String topic, int n, Duration timeout) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        int got = 0;
        while (System.currentTimeMillis() < deadline) {
            got = ResultsReader.readAll(broker.bootstrapServers(), topic, Duration.ofMillis(400)).values().stream().mapToInt(List::size).sum();
            if (got >= n) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("only " + got + " of " + n + " results were committed");
    }
}
