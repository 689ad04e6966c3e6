package io.vxflow.job.cli;

import io.vxflow.job.JobOptions;
import io.vxflow.job.demo.DemoRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code vxflow demo}: everything on one machine with no configuration. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the whole pipeline on this machine with no set-up: an embedded Kafka broker, N synthetic",
            "1080p30 H.264 streams published in real time, the vxflow job on a local Flink MiniCluster, live progress",
            "and a summary. With the built-in model every result is checked against the known boxes."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--streams", paramLabel = "N", defaultValue = "2", description = "Streams to publish (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10", description = "Seconds of video per stream (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write every committed result to FILE as JSON lines.")
    Path out;

    @Mixin
    PipelineFlags pipeline;

    @Mixin
    TensorRtHomeFlag tensorRt;

    @Override
    public Integer call() throws Exception {
        tensorRt.apply();
        PipelineFlags.require(streams > 0 && streams <= 1000, "--streams must be 1..1000");
        PipelineFlags.require(seconds > 0 && seconds <= 3600, "--seconds must be 1..3600");
        if (out != null && out.toAbsolutePath().getParent() != null && !Files.isDirectory(out.toAbsolutePath().getParent())) {
            throw new UserError("cannot write " + out + ": its directory does not exist");
        }
        Configuration conf = new Configuration();
        conf.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        conf.set(JobOptions.STARTING_OFFSETS, "earliest");
        conf.set(JobOptions.IDLE_FLUSH, Duration.ofSeconds(2));
        conf.set(JobOptions.TRANSACTIONAL_ID_PREFIX, "vxflow-demo-" + System.currentTimeMillis());
        pipeline.applyTo(conf);
        int slots = conf.getOptional(JobOptions.PARALLELISM).filter(p -> p > 0)
                .orElse(Math.max(1, Math.min(streams, Runtime.getRuntime().availableProcessors())));
        conf.set(JobOptions.PARALLELISM, slots);
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "vxflow");
        boolean ok = new DemoRunner(new DemoRunner.Settings(streams, seconds, slots, out, cache), conf, System.out).run();
        return ok ? 0 : 1;
    }
}
