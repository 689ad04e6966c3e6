package io.vxflow.job.cli;

import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.trt.TensorRtHome;
import io.vxflow.job.CheckpointDirectory;
import io.vxflow.job.JobOptions;
import io.vxflow.job.LocalCluster;
import io.vxflow.job.Models;
import io.vxflow.job.PrometheusEndpoint;
import io.vxflow.job.VxflowJob;
import io.vxflow.job.web.LiveViewServer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;
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

    // Flags without a picocli default: one that is not given leaves its option to -D or the option's default.
    @Option(names = "--in", paramLabel = "TOPIC", description = "Frames topic (default frames).")
    String in;

    @Option(names = "--out", paramLabel = "TOPIC", description = "Results topic (default results).")
    String out;

    @Option(names = "--group-id", paramLabel = "ID", description = "Consumer group (default vxflow).")
    String groupId;

    @Option(names = "--from", paramLabel = "committed|earliest|latest",
            description = "Where a job without a checkpoint starts reading (default committed).")
    String from;

    @Option(names = "--bounded", description = "Stop at the end offsets present at start (reprocess a topic, then finish).")
    Boolean bounded;

    @Option(names = "--checkpoint-interval-ms", paramLabel = "MS", description = "Checkpoint (and result commit) interval (default 10000).")
    Long checkpointMillis;

    @Option(names = "--idle-flush-ms", paramLabel = "MS", description = "Drain a stream's decoder after this much silence, so frames held for B-frame reordering come out (default 30000; 0 turns it off).")
    Long idleFlushMillis;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Keep checkpoints in DIR (a path or a Flink file system URI), "
            + "retained on cancellation and failure; started again with the same DIR, the job resumes from the latest one.")
    String checkpointDir;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", description = "Kafka transactional id prefix of the results sink; unique per job (default vxflow-GROUP-IN_TOPIC-OUT_TOPIC).")
    String transactionalIdPrefix;

    @Mixin
    PipelineFlags pipeline;

    @Mixin
    KafkaClientFlags kafka;

    @Mixin
    TensorRtHomeFlag tensorRt;

    @Override
    public Integer call() throws Exception {
        if (!Vxflow.insideFlinkClient()) {
            tensorRt.apply();
        } else if (tensorRt.home != null) {
            throw new UserError("--tensorrt-home is for local runs; on a cluster set " + TensorRtHome.ENV
                    + " in the TaskManagers' environment (Kubernetes: containerized.taskmanager.env." + TensorRtHome.ENV + ")");
        }
        Configuration conf = configuration();
        ModelInfo model = Models.inspect(conf.getOptional(JobOptions.MODEL)
                .orElseThrow(() -> new UserError("--model is required (an .onnx file, or 'squares' for the built-in test detector)")));
        // where to resume: Flink takes it from the environment's configuration when it submits (it would
        // overwrite a stream graph's own restore settings)
        Configuration envConf = new Configuration();
        String resumed = "";
        if (checkpointDir != null) {
            Optional<String> latest = CheckpointDirectory.latest(checkpointDir);
            if (latest.isPresent()) {
                envConf.set(StateRecoveryOptions.SAVEPOINT_PATH, latest.get());
                resumed = ", resuming from " + latest.get();
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(envConf);
        boolean local = env instanceof LocalStreamEnvironment;
        if (local) {
            int slots = conf.get(JobOptions.PARALLELISM) > 0 ? conf.get(JobOptions.PARALLELISM) : env.getParallelism();
            // the local MiniCluster also takes Flink's own options from -D (rest.port: vxflow bench e2e watches the job there)
            Configuration cluster = new Configuration(conf);
            cluster.addAll(PrometheusEndpoint.localCluster(conf));
            cluster.addAll(LiveViewServer.localCluster(conf));
            cluster.addAll(LocalCluster.configuration(slots));
            cluster.addAll(envConf);
            env = StreamExecutionEnvironment.createLocalEnvironment(slots, cluster);
        } else {
            if (pipeline.prometheusPort != null) {
                System.out.println("vxflow run: --prometheus-port is for local runs; a cluster's reporters come from its own configuration");
            }
            if (conf.removeConfig(LiveViewServer.PORT)) {
                System.out.println("vxflow run: --web is for local runs; a cluster's mosaics stay on its TaskManagers (see --preview-dir)");
            }
        }
        StreamGraph graph = VxflowJob.build(env, conf, model);
        System.out.printf("vxflow run: %s -> %s, model %s (%dx%d, %s), backend %s%s%s%n", conf.get(JobOptions.FRAMES_TOPIC),
                conf.get(JobOptions.RESULTS_TOPIC), model.name(), model.inputWidth(), model.inputHeight(),
                model.kind().name().toLowerCase(java.util.Locale.ROOT), conf.get(JobOptions.BACKEND), local ? ", local MiniCluster" : "", resumed);
        if (local && PrometheusEndpoint.url(conf) != null) {
            System.out.println("  metrics: " + PrometheusEndpoint.url(conf));
        }
        String kafkaLine = KafkaClientFlags.describe(JobOptions.kafkaClientProperties(conf));
        if (kafkaLine != null) {
            System.out.println("  " + kafkaLine);
        }
        try (LiveViewServer web = local ? LiveViewServer.start(conf) : null) {
            if (web != null) {
                System.out.println("  live view: " + web.url());
            }
            env.execute(graph);
        }
        return 0;
    }

    /** The job's options: -D, then the flags given explicitly (see {@link PipelineFlags#applyTo}). */
    Configuration configuration() {
        Configuration conf = new Configuration();
        pipeline.applyTo(conf);
        kafka.applyTo(conf);
        conf.set(JobOptions.BOOTSTRAP, bootstrap);
        setIfGiven(conf, JobOptions.FRAMES_TOPIC, in);
        setIfGiven(conf, JobOptions.RESULTS_TOPIC, out);
        setIfGiven(conf, JobOptions.GROUP_ID, groupId);
        setIfGiven(conf, JobOptions.STARTING_OFFSETS, from);
        setIfGiven(conf, JobOptions.BOUNDED, bounded);
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
        if (checkpointDir != null) {
            PipelineFlags.require(!checkpointDir.isBlank(), "--checkpoint-dir must not be empty");
            conf.set(JobOptions.CHECKPOINT_DIR, checkpointDir);
        }
        return conf;
    }

    private static <T> void setIfGiven(Configuration conf, ConfigOption<T> option, T flag) {
        if (flag != null) {
            conf.set(option, flag);
        }
    }
}
