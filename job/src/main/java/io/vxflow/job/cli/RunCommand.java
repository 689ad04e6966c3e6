package io.vxflow.job.cli;

import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.job.JobOptions;
import io.vxflow.job.Models;
import io.vxflow.job.VxflowJob;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vxflow run}: the production job. Under {@code flink run vxflow.jar run ...} it is submitted
 * to the cluster; with {@code java -jar vxflow.jar run ...} it runs on a local MiniCluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the vxflow job: the frames topic in, per-frame JSON results out, exactly once.",
            "Submit it with 'flink run vxflow.jar run ...', or run it locally with 'java -jar vxflow.jar run ...'."})
final class RunCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--in", paramLabel = "TOPIC", defaultValue = "frames", description = "Frames topic (default: ${DEFAULT-VALUE}).")
    String in;

    @Option(names = "--out", paramLabel = "TOPIC", defaultValue = "results", description = "Results topic (default: ${DEFAULT-VALUE}).")
    String out;

    @Option(names = "--group-id", paramLabel = "ID", defaultValue = "vxflow", description = "Consumer group (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Option(names = "--from", paramLabel = "committed|earliest|latest", defaultValue = "committed",
            description = "Where a job without a checkpoint starts reading (default: ${DEFAULT-VALUE}).")
    String from;

    @Option(names = "--bounded", description = "Stop at the end offsets present at start (reprocess a topic, then finish).")
    boolean bounded;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "MS", description = "Checkpoint (and result commit) interval (default 10000).")
    Long checkpointMillis;

    @Option(names = "--idle-flush-ms", paramLabel = "MS", description = "Drain a stream's decoder after this much silence, so frames held for B-frame reordering come out (default 30000; 0 turns it off).")
    Long idleFlushMillis;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", description = "Kafka transactional id prefix of the results sink; unique per job (default vxflow-GROUP-IN_TOPIC-OUT_TOPIC).")
    String transactionalIdPrefix;

    @Mixin
    PipelineFlags pipeline;

    @Override
    public Integer call() throws Exception {
        Configuration conf = configuration();
        ModelInfo model = Models.inspect(conf.getOptional(JobOptions.MODEL)
                .orElseThrow(() -> new UserError("--model is required (an .onnx file, or 'squares' for the built-in test detector)")));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (env instanceof LocalStreamEnvironment) {
            // the local MiniCluster also takes Flink's own options from -D (rest.port: vxflow bench e2e watches the job there)
            env = StreamExecutionEnvironment.createLocalEnvironment(conf);
        }
        if (pipeline.parallelism != null && env instanceof LocalStreamEnvironment) {
            env.setParallelism(pipeline.parallelism);
        }
        StreamGraph graph = VxflowJob.build(env, conf, model);
        System.out.printf("vxflow run: %s -> %s, model %s (%dx%d, %s), backend %s%s%n", in, out, model.name(), model.inputWidth(),
                model.inputHeight(), model.kind().name().toLowerCase(java.util.Locale.ROOT), conf.get(JobOptions.BACKEND),
                env instanceof LocalStreamEnvironment ? ", local MiniCluster" : "");
        env.execute(graph);
        return 0;
    }

    Configuration configuration() {
        Configuration conf = new Configuration();
        pipeline.applyTo(conf);
        conf.set(JobOptions.BOOTSTRAP, bootstrap);
        conf.set(JobOptions.FRAMES_TOPIC, in);
        conf.set(JobOptions.RESULTS_TOPIC, out);
        conf.set(JobOptions.GROUP_ID, groupId);
        conf.set(JobOptions.STARTING_OFFSETS, from);
        conf.set(JobOptions.BOUNDED, bounded);
        if (checkpointMillis != null) {
            PipelineFlags.require(checkpointMillis > 0, "--checkpoint-interval-ms must be positive");
            conf.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(checkpointMillis));
        }
        if (idleFlushMillis != null) {
            PipelineFlags.require(idleFlushMillis >= 0, "--idle-flush-ms must be 0 (off) or positive");
            conf.set(JobOptions.IDLE_FLUSH, Duration.ofMillis(idleFlushMillis));
        }
        if (transactionalIdPrefix != null) {
            conf.set(JobOptions.TRANSACTIONAL_ID_PREFIX, transactionalIdPrefix);
        }
        return conf;
    }
}
