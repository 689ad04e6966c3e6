package io.vxflow.job.cli;

import io.vxflow.connectors.producer.AccessUnitReader;
import io.vxflow.connectors.producer.FramePublisher;
import io.vxflow.connectors.producer.FrameRate;
import io.vxflow.connectors.producer.ReaderOptions;
import io.vxflow.connectors.producer.ReplayProgress;
import io.vxflow.connectors.producer.ReplayReport;
import io.vxflow.connectors.producer.StreamReplayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vxflow produce}: publishes a video file or an RTSP/HTTP URL to the frames topic in the wire
 * format, demuxed with FFmpeg and never decoded, as one stream or as N streams for load tests.
 */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Publishes a video (MP4, MKV, TS, raw Annex-B H.264/H.265) or an RTSP/HTTP URL to the frames topic,",
            "one Kafka record per access unit, without decoding. With --streams N the same video is published as N streams."})
final class ProduceCommand implements Callable<Integer> {
    @Option(names = "--bootstrap", required = true, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "TOPIC", defaultValue = "frames", description = "Frames topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @ArgGroup(exclusive = true)
    Streams streams = new Streams();

    static final class Streams {
        @Option(names = "--stream-id", paramLabel = "ID", description = "Publish as one stream with this id (default: the file name).")
        String id;

        @Option(names = "--streams", paramLabel = "N", description = "Publish as N streams, <prefix>-0 .. <prefix>-N-1.")
        Integer count;
    }

    @Option(names = "--prefix", paramLabel = "P", defaultValue = "cam", description = "Stream id prefix with --streams (default: ${DEFAULT-VALUE}).")
    String prefix;

    @Option(names = "--realtime", description = "Pace access units at the video's frame rate (as a camera would).")
    boolean realtime;

    @Option(names = "--loop", description = "Start over at the end; pts keep increasing.")
    boolean loop;

    @Option(names = "--frames", paramLabel = "N", description = "Stop after N frames per stream.")
    Long frames;

    @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds.")
    Long seconds;

    @Option(names = "--fps", paramLabel = "F", description = "Frame rate of raw Annex-B input, which carries no timestamps.")
    Integer fps;

    @Option(names = "--report", paramLabel = "FILE", description = {"Write what was published, per stream, to FILE as JSON: once a second,",
        "and final counts when publishing ends (also on Ctrl-C or SIGTERM)."})
    Path report;

    @Parameters(paramLabel = "FILE_OR_URL", description = "The video to publish.")
    String source;

    @Mixin
    KafkaClientFlags kafka;

    @Override
    public Integer call() throws Exception {
        StreamReplayer.Builder b = StreamReplayer.builder().realTime(realtime).loop(loop);
        if (streams.count != null) {
            PipelineFlags.require(streams.count > 0, "--streams must be positive");
            b.streams(streams.count).streamIdPrefix(prefix);
        } else {
            PipelineFlags.require(streams.id == null || !streams.id.isEmpty(), "--stream-id must not be empty (it is the Kafka record key)");
            b.streamId(streams.id != null ? streams.id : defaultStreamId(source));
        }
        if (frames != null) {
            b.maxFramesPerStream(frames);
        }
        if (seconds != null) {
            b.maxDuration(Duration.ofSeconds(seconds));
        }
        StreamReplayer replayer = b.build();
        Map<String, String> kafkaProperties = kafka.properties();
        ReaderOptions options = ReaderOptions.defaults();
        if (fps != null) {
            PipelineFlags.require(fps > 0, "--fps must be positive");
            options = options.withAssumedFrameRate(FrameRate.of(fps));
        }
        if (report != null && report.toAbsolutePath().getParent() != null && !Files.isDirectory(report.toAbsolutePath().getParent())) {
            throw new UserError("cannot write " + report + ": its directory does not exist");
        }
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vxflow-produce-progress");
            t.setDaemon(true);
            return t;
        });
        CountDownLatch finished = new CountDownLatch(1);
        try (AccessUnitReader reader = AccessUnitReader.open(source, options); FramePublisher publisher = new FramePublisher(bootstrap, topic, kafkaProperties)) {
            System.out.printf("vxflow produce: %s (%s %dx%d, %s fps) -> %s as %s%n", reader.description(), reader.codec().wireName(),
                    reader.width(), reader.height(), reader.frameRate(), topic,
                    replayer.streamIds().size() == 1 ? "stream '" + replayer.streamIds().get(0) + "'" : replayer.streamIds().size() + " streams");
            if (KafkaClientFlags.describe(kafkaProperties) != null) {
                System.out.println("  " + KafkaClientFlags.describe(kafkaProperties));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndWait(replayer, finished), "vxflow-produce-stop"));
            ticker.scheduleAtFixedRate(() -> {
                print("  ", replayer.progress());
                writeReport(replayer);
            }, 1, 1, TimeUnit.SECONDS);
            try {
                ReplayProgress done = replayer.replay(reader, publisher);
                print("done: ", done);
            } finally {
                ticker.shutdownNow();
                ticker.awaitTermination(5, TimeUnit.SECONDS);
                writeReport(replayer); // final counts: everything published was flushed, or replay threw
            }
        } finally {
            ticker.shutdownNow();
            finished.countDown();
        }
        return 0;
    }

    /**
     * On Ctrl-C or SIGTERM: stops the replay and holds the JVM until the main thread has flushed the
     * publisher and written the final report (the JVM exits when the shutdown hooks return).
     */
    private static void stopAndWait(StreamReplayer replayer, CountDownLatch finished) {
        replayer.stop();
        try {
            finished.await(45, TimeUnit.SECONDS); // longer than the publisher's delivery timeout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeReport(StreamReplayer replayer) {
        if (report == null) {
            return;
        }
        try {
            ReplayReport.of(replayer).writeTo(report);
        } catch (IOException e) {
            System.err.println("vxflow produce: cannot write " + report + ": " + e.getMessage());
        }
    }

    private static void print(String lead, ReplayProgress p) {
        double s = Math.max(1e-3, p.elapsed().toMillis() / 1000.0);
        System.out.printf("%s%.1f s: %d records, %.1f MB (%.0f records/s, %.1f Mbit/s)%s%n", lead, s, p.recordsPublished(),
                p.bytesPublished() / 1e6, p.recordsPublished() / s, p.bytesPublished() * 8 / 1e6 / s,
                p.state() == ReplayProgress.State.RUNNING ? "" : ", " + p.state().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
    }

    static String defaultStreamId(String source) {
        String s = source.replaceFirst("[?#].*$", "");
        s = s.substring(s.lastIndexOf('/') + 1);
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s.isEmpty() ? "stream" : s;
    }
}
