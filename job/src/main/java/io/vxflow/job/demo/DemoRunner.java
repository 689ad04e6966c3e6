package io.vxflow.job.demo;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.producer.FramePublisher;
import io.vxflow.connectors.producer.FrameRate;
import io.vxflow.connectors.producer.InMemoryAccessUnitSource;
import io.vxflow.connectors.producer.StreamReplayer;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.synthetic.SyntheticScene;
import io.vxflow.job.Engines;
import io.vxflow.job.JobOptions;
import io.vxflow.job.LocalCluster;
import io.vxflow.job.Models;
import io.vxflow.job.PrometheusEndpoint;
import io.vxflow.job.VxflowJob;
import io.vxflow.job.web.LiveViewServer;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The zero-configuration demo: an embedded KRaft broker, the synthetic 1080p30 clip published as N
 * real-time streams, the vxflow job on a local MiniCluster, live progress read back from the results
 * topic as a read_committed consumer, and a summary that checks every frame came back exactly once,
 * in order and (with the built-in model) with the known boxes.
 */
public final class DemoRunner {
    /** What the demo is asked to do. */
    public record Settings(int streams, int seconds, int parallelism, Path out, Path cacheDir) {}

    private final Settings settings;
    private final Configuration conf;
    private final PrintStream console;

    public DemoRunner(Settings settings, Configuration conf, PrintStream console) {
        this.settings = settings;
        this.conf = conf;
        this.console = console;
    }

    /** @return true when every frame came back exactly once, in order, with the expected boxes */
    public boolean run() throws Exception {
        int n = settings.streams(), framesPerStream = settings.seconds() * SyntheticScene.FPS;
        int clipFrames = Math.min(settings.seconds(), 10) * SyntheticScene.FPS;
        String model = conf.getOptional(JobOptions.MODEL).orElse(Models.BUILTIN_SQUARES);
        conf.set(JobOptions.MODEL, model);
        ModelInfo info = Models.inspect(model);
        console.printf("vxflow demo: %d stream(s) x %d s of synthetic 1080p30 H.264, model %s, backend %s, %d slot(s)%n", n,
                settings.seconds(), info.name(), conf.get(JobOptions.BACKEND), settings.parallelism());
        if (Backend.parse(conf.get(JobOptions.BACKEND)).resolve() == Backend.GPU) {
            // a detector's engine takes minutes to build: before the clock, not while streams wait
            PipelineSpec spec = VxflowJob.pipelineSpec(conf, info);
            Engines.prepare(info, spec.fp16(), spec.maxBatch(), 0, console);
        }
        long t0 = System.nanoTime();
        List<AccessUnit> clip = SyntheticClip.load(clipFrames, settings.cacheDir());
        console.printf("  clip: %d frames ready in %.1f s (cached in %s)%n", clip.size(), (System.nanoTime() - t0) / 1e9, settings.cacheDir());
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build(); LiveViewServer web = LiveViewServer.start(conf)) {
            broker.start();
            if (web != null) {
                console.printf("  live view: %s%n", web.url());
            }
            int partitions = Math.min(n, 32);
            broker.createTopic(conf.get(JobOptions.FRAMES_TOPIC), partitions);
            broker.createTopic(conf.get(JobOptions.RESULTS_TOPIC), partitions);
            console.printf("  kafka: embedded KRaft broker on %s%n", broker.bootstrapServers());
            conf.set(JobOptions.BOOTSTRAP, broker.bootstrapServers());
            JobClient job = startJob(info);
            try (ResultsWatcher watcher = new ResultsWatcher(broker.bootstrapServers(), JobOptions.kafkaClientProperties(conf),
                    conf.get(JobOptions.RESULTS_TOPIC), clipFrames, settings.out())) {
                StreamReplayer replayer = StreamReplayer.builder().streams(n).streamIdPrefix("cam").realTime(true)
                        .loop(framesPerStream > clip.size()).maxFramesPerStream(framesPerStream).build();
                CompletableFuture<?> publishing = CompletableFuture.runAsync(() -> {
                    try (FramePublisher publisher = new FramePublisher(broker.bootstrapServers(), conf.get(JobOptions.FRAMES_TOPIC),
                            JobOptions.kafkaClientProperties(conf))) {
                        replayer.replay(new InMemoryAccessUnitSource(clip, SyntheticScene.WIDTH, SyntheticScene.HEIGHT, FrameRate.of(SyntheticScene.FPS)), publisher);
                    }
                });
                boolean complete = watch(watcher, replayer, publishing, job, n * framesPerStream);
                replayer.stop();
                job.cancel().get(30, TimeUnit.SECONDS);
                Summary summary = new Summary(watcher.streams(), n, framesPerStream, Models.BUILTIN_SQUARES.equals(model));
                summary.print(console);
                if (settings.out() != null) {
                    console.printf("  results written to %s%n", settings.out());
                }
                return complete && summary.allGood();
            }
        }
    }

    private JobClient startJob(ModelInfo info) throws Exception {
        Configuration cluster = PrometheusEndpoint.localCluster(conf);
        cluster.addAll(LiveViewServer.localCluster(conf));
        cluster.addAll(LocalCluster.configuration(settings.parallelism()));
        if (PrometheusEndpoint.url(conf) != null) {
            console.printf("  metrics: %s%n", PrometheusEndpoint.url(conf));
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(settings.parallelism(), cluster);
        JobClient job = env.executeAsync(VxflowJob.build(env, conf, info));
        long deadline = System.currentTimeMillis() + 60_000;
        while (job.getJobStatus().get() != org.apache.flink.api.common.JobStatus.RUNNING) {
            if (System.currentTimeMillis() > deadline || job.getJobStatus().get().isGloballyTerminalState()) {
                throw new IllegalStateException("the job did not start: " + job.getJobStatus().get());
            }
            Thread.sleep(50);
        }
        return job;
    }

    /** Polls results until all arrived, the job failed or time ran out; prints a line a second. */
    private boolean watch(ResultsWatcher watcher, StreamReplayer replayer, CompletableFuture<?> publishing, JobClient job, int expected)
            throws Exception {
        long start = System.currentTimeMillis();
        long deadline = start + (settings.seconds() + 120) * 1000L;
        long nextLine = start + 1000;
        while (watcher.total() < expected) {
            watcher.poll(Duration.ofMillis(200));
            long now = System.currentTimeMillis();
            if (publishing.isCompletedExceptionally()) {
                publishing.join();
            }
            if (job.getJobStatus().get().isGloballyTerminalState()) {
                job.getJobExecutionResult().get();
                throw new IllegalStateException("the job stopped early: " + job.getJobStatus().get());
            }
            if (now >= nextLine) {
                nextLine += 1000;
                console.println(progressLine(watcher, replayer, expected, (now - start) / 1000));
            }
            if (now > deadline) {
                console.printf("  timed out with %d of %d results%n", watcher.total(), expected);
                return false;
            }
        }
        watcher.poll(Duration.ofSeconds(2)); // a duplicate would arrive with the next commit
        console.println(progressLine(watcher, replayer, expected, (System.currentTimeMillis() - start) / 1000));
        return true;
    }

    private static String progressLine(ResultsWatcher watcher, StreamReplayer replayer, int expected, long seconds) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %3d s  sent %d  results %d/%d", seconds,
                replayer.progress().recordsPublished(), watcher.total(), expected));
        var streams = watcher.streams().values();
        if (streams.size() <= 4) {
            for (StreamStats s : streams) {
                b.append(String.format(Locale.ROOT, " | %s %.1f fps %d ms", s.stream, s.fps(), s.latency(0.5)));
            }
        } else if (!streams.isEmpty()) {
            double fps = streams.stream().mapToDouble(StreamStats::fps).average().orElse(0);
            long p50 = streams.stream().mapToLong(s -> s.latency(0.5)).sorted().skip(streams.size() / 2).findFirst().orElse(0);
            b.append(String.format(Locale.ROOT, " | %d streams, %.1f fps each, latency p50 %d ms", streams.size(), fps, p50));
        }
        return b.toString();
    }
}
