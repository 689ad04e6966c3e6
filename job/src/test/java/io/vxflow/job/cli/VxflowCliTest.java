package io.vxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.job.JobOptions;
import io.vxflow.job.VxflowJob;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** User mistakes get one clear line and exit code 2, never a stack trace; every command has --help. */
class VxflowCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cmd = Vxflow.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        return cmd.execute(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo", "run", "produce", "broker", "bench"})
    void everyCommandHasHelp(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out.toString()).contains("Usage: vxflow " + command).contains("--help");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void benchE2eHasHelpAndIsListedUnderBench() {
        assertThat(run("bench", "e2e", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: vxflow bench e2e").contains("--find-max").contains("--compare").contains("--out-dir");
        out.getBuffer().setLength(0);
        assertThat(run("bench", "--help")).isZero();
        assertThat(out.toString()).contains("e2e");
    }

    @Test
    void benchE2eMistakesAreOneLine() {
        assertThat(run("bench", "e2e", "--backend", "cpu", "--streams", "0")).isEqualTo(2);
        assertOneLine("vxflow bench e2e: --streams must be 1..1000");
        err.getBuffer().setLength(0);
        assertThat(run("bench", "e2e", "--backend", "cpu", "--find-max", "--streams", "4")).isEqualTo(2);
        assertOneLine("vxflow bench e2e: give --streams N or --find-max, not both");
        err.getBuffer().setLength(0);
        assertThat(run("bench", "e2e", "--backend", "cpu", "--compare", "nvdec,gpu")).isEqualTo(2);
        assertOneLine("vxflow bench e2e: unknown --compare 'gpu' (use nvdec, conventional, cpu or none)");
        err.getBuffer().setLength(0);
        assertThat(run("bench", "e2e", "--backend", "cpu", "--model", "/nonexistent/model.onnx")).isEqualTo(2);
        assertOneLine("vxflow bench e2e: model /nonexistent/model.onnx does not exist (give --model a path to an .onnx file)");
        err.getBuffer().setLength(0);
        assertThat(run("bench", "e2e", "--backend", "cpu", "--broker-dir", "/nonexistent/shm")).isEqualTo(2);
        assertOneLine("vxflow bench e2e: --broker-dir /nonexistent/shm is not a directory");
        err.getBuffer().setLength(0);
        assertThat(run("bench")).isEqualTo(2);
        assertOneLine("vxflow bench: say what to measure: ops, decode, infer, all or e2e");
    }

    @Test
    void aBrokerPropertyTheBrokerSetsItselfIsOneLine() {
        assertThat(run("broker", "--port", "0", "-Dlog.dirs=/tmp/elsewhere")).isEqualTo(2);
        assertOneLine("vxflow broker: The Kafka property 'log.dirs' is set by the embedded broker itself; use port(), listenerHost() or dataDirectory() instead");
    }

    @Test
    void benchE2eFlagsBecomeTheJobsFlags() {
        CommandLine cmd = Vxflow.commandLine();
        CommandLine.ParseResult parsed = cmd.parseArgs("bench", "e2e", "--backend", "cpu", "--streams", "3", "--batch", "4", "--slots", "2",
                "--compare", "none", "-Dvxflow.detect.iou=0.5", "--out-dir", "/tmp/x");
        BenchE2eCommand e2e = (BenchE2eCommand) parsed.subcommand().subcommand().commandSpec().userObject();
        var settings = e2e.settings();
        assertThat(settings.commandLine()).isEqualTo("vxflow bench e2e --backend cpu --streams 3 --batch 4 --slots 2 --compare none "
                + "-Dvxflow.detect.iou=0.5 --out-dir /tmp/x");
        assertThat(settings.streams()).isEqualTo(3);
        assertThat(settings.brokerDir()).as("the broker's log goes to the temporary directory unless --broker-dir says").isNull();
        assertThat(settings.search()).isNull();
        assertThat(settings.compare()).isEmpty();
        assertThat(settings.pipeline().backend()).isEqualTo("cpu");
        assertThat(settings.pipeline().properties()).containsEntry("vxflow.detect.iou", "0.5");
        assertThat(settings.engineCommand()).isEqualTo(cmd.getSubcommands().containsKey("engine"));
    }

    @Test
    void benchE2eTakesADirectoryForTheBrokersLog(@org.junit.jupiter.api.io.TempDir java.nio.file.Path shm) {
        CommandLine.ParseResult parsed = Vxflow.commandLine().parseArgs("bench", "e2e", "--backend", "cpu", "--broker-dir", shm.toString());
        BenchE2eCommand e2e = (BenchE2eCommand) parsed.subcommand().subcommand().commandSpec().userObject();
        assertThat(e2e.settings().brokerDir()).isEqualTo(shm);
    }

    @Test
    void topLevelHelpListsTheCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("demo").contains("run").contains("produce").contains("broker");
    }

    @Test
    void unknownFlagIsOneLine() {
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--frobnicate")).isEqualTo(2);
        assertOneLine("vxflow run: Unknown option: '--frobnicate' (see 'vxflow run --help')");
    }

    @Test
    void missingRequiredFlagIsOneLine() {
        assertThat(run("run", "--model", "squares")).isEqualTo(2);
        assertOneLine("vxflow run: Missing required option: '--bootstrap=HOST:PORT' (see 'vxflow run --help')");
    }

    @Test
    void unknownCommandIsOneLine() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString().lines().count()).isEqualTo(1);
        assertThat(err.toString()).startsWith("vxflow: Unmatched argument");
    }

    @Test
    void missingModelFileIsOneLine() {
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "/nonexistent/model.onnx")).isEqualTo(2);
        assertOneLine("vxflow run: model file /nonexistent/model.onnx does not exist");
    }

    @Test
    void notAnOnnxModelIsOneLineNamingTheModel(@TempDir Path dir) throws Exception {
        Path bogus = dir.resolve("bogus.onnx");
        Files.writeString(bogus, "this is not a model");
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", bogus.toString())).isEqualTo(2);
        assertThat(err.toString().lines().count()).isEqualTo(1);
        assertThat(err.toString()).startsWith("vxflow run: model " + bogus + " is not a usable ONNX model: ");
    }

    @Test
    void badBackendIsOneLine() {
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--backend", "tpu")).isEqualTo(2);
        assertOneLine("vxflow run: unknown backend 'tpu' (use auto, gpu or cpu)");
    }

    @Test
    void missingVideoFileIsOneLine() {
        assertThat(run("produce", "--bootstrap", "localhost:9092", "/nonexistent/clip.mp4")).isEqualTo(2);
        assertThat(err.toString().lines().count()).isEqualTo(1);
        assertThat(err.toString()).startsWith("vxflow produce: ").contains("/nonexistent/clip.mp4");
    }

    @Test
    void badNumbersAreOneLine() {
        assertThat(run("demo", "--streams", "0")).isEqualTo(2);
        assertOneLine("vxflow demo: --streams must be 1..1000");
        err.getBuffer().setLength(0);
        assertThat(run("demo", "--seconds", "ten")).isEqualTo(2);
        assertThat(err.toString()).startsWith("vxflow demo: Invalid value for option '--seconds'");
    }

    @Test
    void defaultStreamIdIsTheFileName() {
        assertThat(ProduceCommand.defaultStreamId("/videos/lobby-cam.mp4")).isEqualTo("lobby-cam");
        assertThat(ProduceCommand.defaultStreamId("rtsp://cam7.local:554/stream1?token=x")).isEqualTo("stream1");
    }

    @Test
    void aUserErrorDeepInAJobFailureIsReportedAsOne() {
        // how a model missing on a TaskManager comes back: wrapped by the job client and Flink's runtime
        var model = new io.vxflow.gpu.infer.ModelException("model file /models/yolo.onnx does not exist on this TaskManager");
        var failure = new java.util.concurrent.ExecutionException(
                new RuntimeException("org.apache.flink.runtime.client.JobExecutionException: Job execution failed.",
                        new RuntimeException("Recovery is suppressed by NoRestartBackoffTimeStrategy", model)));
        assertThat(Vxflow.userError(failure)).isSameAs(model);
        // a bug's illegal argument deep down is not the user's mistake
        assertThat(Vxflow.userError(new RuntimeException("boom", new IllegalArgumentException("index -1")))).isNull();
        assertThat(Vxflow.userError(new IllegalArgumentException("--streams must be 1..1000"))).isNotNull();
        // a cause chain that loops back on itself ends
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(Vxflow.userError(a)).isNull();
        assertThat(Vxflow.describe(a)).isEqualTo("a");
    }

    @Test
    void otherFailuresShowTheRootMessageBehindFlinksWrappers() {
        var root = new IllegalStateException("TensorRT could not build an engine: out of memory");
        var failure = new java.util.concurrent.ExecutionException(
                new RuntimeException("org.apache.flink.runtime.client.JobExecutionException: Job execution failed.", root));
        assertThat(Vxflow.userError(failure)).isNull();
        assertThat(Vxflow.describe(failure)).isEqualTo("TensorRT could not build an engine: out of memory");
    }

    @Test
    void aTaskFailureOnAClusterShowsItsOwnMessage() {
        // the chain a flink run client gets for a failure in a chained operator (seen in ClusterSubmitITCase)
        var root = new IllegalStateException("decoder crashed");
        var failure = new java.util.concurrent.ExecutionException(
                new org.apache.flink.client.program.ProgramInvocationException("Job failed (JobID: 0123)",
                        new org.apache.flink.runtime.client.JobExecutionException(new org.apache.flink.api.common.JobID(), "Job execution failed.",
                                new org.apache.flink.runtime.JobException("Recovery is suppressed by FixedDelayRestartBackoffTimeStrategy",
                                        new org.apache.flink.runtime.taskmanager.AsynchronousException("Caught exception while processing timer.",
                                                new org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorException(
                                                        "Could not forward element to next operator", root))))));
        assertThat(Vxflow.describe(failure)).isEqualTo("decoder crashed");
        // a job that cannot even start: the reason is the innermost exception too
        var init = new org.apache.flink.util.FlinkException("Failed to execute job 'vxflow frames -> results (squares-640)'.",
                new java.util.concurrent.CompletionException(new IllegalArgumentException("The attemptsBeforeResetBackoff must be at least 1.")));
        assertThat(Vxflow.describe(init)).isEqualTo("The attemptsBeforeResetBackoff must be at least 1.");
    }

    @Test
    void transactionalIdsDefaultToOnePerGroupAndTopic() {
        var conf = new org.apache.flink.configuration.Configuration();
        assertThat(io.vxflow.job.JobOptions.transactionalIdPrefix(conf)).isEqualTo("vxflow-vxflow-frames-results");
        conf.set(io.vxflow.job.JobOptions.GROUP_ID, "lobby");
        conf.set(io.vxflow.job.JobOptions.FRAMES_TOPIC, "lobby-frames");
        conf.set(io.vxflow.job.JobOptions.RESULTS_TOPIC, "lobby-results");
        assertThat(io.vxflow.job.JobOptions.transactionalIdPrefix(conf)).isEqualTo("vxflow-lobby-lobby-frames-lobby-results");
        conf.set(io.vxflow.job.JobOptions.TRANSACTIONAL_ID_PREFIX, "cams-7");
        assertThat(io.vxflow.job.JobOptions.transactionalIdPrefix(conf)).isEqualTo("cams-7");
    }

    @Test
    void emptyStreamIdIsOneLine() {
        assertThat(run("produce", "--bootstrap", "localhost:9092", "--stream-id", "", "clip.mp4")).isEqualTo(2);
        assertOneLine("vxflow produce: --stream-id must not be empty (it is the Kafka record key)");
    }

    @Test
    void negativeIdleFlushIsOneLine() {
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--idle-flush-ms", "-1")).isEqualTo(2);
        assertOneLine("vxflow run: --idle-flush-ms must be 0 (off) or positive");
    }

    @Test
    void badInferenceIntervalsAreOneLineNamingTheOption() {
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--backend", "cpu",
                "-Dvxflow.infer.per-stream-interval=lobby-*=5;dock-[=2")).isEqualTo(2);
        assertOneLine("vxflow run: vxflow.infer.per-stream-interval: pattern 'dock-[' opens a set with '[' that is never closed");
        err.getBuffer().setLength(0);
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--backend", "cpu",
                "-Dvxflow.infer.per-stream-interval=lobby-*")).isEqualTo(2);
        assertOneLine("vxflow run: vxflow.infer.per-stream-interval: 'lobby-*' is not pattern=N (e.g. lobby-*=5)");
        err.getBuffer().setLength(0);
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--backend", "cpu", "-Dvxflow.infer.interval=0"))
                .isEqualTo(2);
        assertOneLine("vxflow run: vxflow.infer.interval must be at least 1 (every frame), not 0");
    }

    @Test
    void inferenceIntervalsReachTheDecodeSettings() {
        var interval = VxflowJob.decodeSettings(runConfiguration("-Dvxflow.infer.interval=2",
                "-Dvxflow.infer.per-stream-interval=lobby-1=1;lobby-*=5;dock-?=3"), Backend.CPU).interval();
        assertThat(interval.of("lobby-1")).isEqualTo(1);
        assertThat(interval.of("lobby-2")).isEqualTo(5);
        assertThat(interval.of("dock-9")).isEqualTo(3);
        assertThat(interval.of("gate")).isEqualTo(2);
        assertThat(VxflowJob.decodeSettings(runConfiguration(), Backend.CPU).interval().everyFrame()).isTrue();
    }

    @Test
    void aDecodeLimitThatAllowsNothingIsOneLine() {
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "-Dvxflow.decode.max-streams-per-slot=0")).isEqualTo(2);
        assertOneLine("vxflow run: vxflow.decode.max-streams-per-slot must be at least 1, not 0");
    }

    @Test
    void outsideFlinksClientTheLauncherExits() {
        assertThat(Vxflow.insideFlinkClient()).isFalse();
    }

    @Test
    void underFlinksClientAFailureIsThrownInsteadOfExiting() {
        FlinkClientContext.enter();
        try {
            assertThat(Vxflow.insideFlinkClient()).isTrue();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Vxflow.main(new String[] {"run", "--frobnicate", "-Dsasl.secret=x"}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("vxflow failed (exit code 2); the reason is printed above");
        } finally {
            FlinkClientContext.leave();
        }
    }

    /** What Flink's client does before it calls main: installs its context environment. */
    private static final class FlinkClientContext extends org.apache.flink.streaming.api.environment.StreamExecutionEnvironment {
        static void enter() {
            initializeContextEnvironment(org.apache.flink.streaming.api.environment.StreamExecutionEnvironment::new);
        }

        static void leave() {
            resetContextEnvironment();
        }
    }

    @Test
    void dashDWinsOverAFlagsDefaultAndAnExplicitFlagWinsOverDashD() {
        Configuration conf = runConfiguration("-Dvxflow.backend=cpu", "-Dvxflow.kafka.frames-topic=cams", "-Dvxflow.kafka.results-topic=boxes",
                "-Dvxflow.kafka.group-id=lobby", "-Dvxflow.kafka.starting-offsets=earliest", "-Dvxflow.kafka.bounded=true");
        assertThat(conf.get(JobOptions.BACKEND)).isEqualTo("cpu");
        assertThat(conf.get(JobOptions.FRAMES_TOPIC)).isEqualTo("cams");
        assertThat(conf.get(JobOptions.RESULTS_TOPIC)).isEqualTo("boxes");
        assertThat(conf.get(JobOptions.GROUP_ID)).isEqualTo("lobby");
        assertThat(conf.get(JobOptions.STARTING_OFFSETS)).isEqualTo("earliest");
        assertThat(conf.get(JobOptions.BOUNDED)).isTrue();

        conf = runConfiguration("-Dvxflow.backend=cpu", "--backend", "gpu", "-Dvxflow.kafka.frames-topic=cams", "--in", "frames-7",
                "-Dvxflow.kafka.results-topic=boxes", "--out", "results-7", "-Dvxflow.kafka.group-id=lobby", "--group-id", "g7",
                "-Dvxflow.kafka.starting-offsets=earliest", "--from", "latest");
        assertThat(conf.get(JobOptions.BACKEND)).isEqualTo("gpu");
        assertThat(conf.get(JobOptions.FRAMES_TOPIC)).isEqualTo("frames-7");
        assertThat(conf.get(JobOptions.RESULTS_TOPIC)).isEqualTo("results-7");
        assertThat(conf.get(JobOptions.GROUP_ID)).isEqualTo("g7");
        assertThat(conf.get(JobOptions.STARTING_OFFSETS)).isEqualTo("latest");

        conf = runConfiguration();
        assertThat(conf.get(JobOptions.BACKEND)).isEqualTo("auto");
        assertThat(conf.get(JobOptions.FRAMES_TOPIC)).isEqualTo("frames");
        assertThat(conf.get(JobOptions.RESULTS_TOPIC)).isEqualTo("results");
        assertThat(conf.get(JobOptions.GROUP_ID)).isEqualTo("vxflow");
        assertThat(conf.get(JobOptions.STARTING_OFFSETS)).isEqualTo("committed");
        assertThat(conf.get(JobOptions.BOUNDED)).isFalse();
    }

    @Test
    void kafkaPropertiesComeFromDashDThenTheFileThenEachFlag(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\nlinger.ms=7\n");
        Configuration conf = runConfiguration("-Dvxflow.kafka.property.security.protocol=SASL_PLAINTEXT",
                "-Dvxflow.kafka.property.client.id=cams", "--kafka-config", file.toString(),
                "--kafka-property", "linger.ms=20", "--kafka-property", "sasl.jaas.config=a=b c=\"d\";");
        assertThat(JobOptions.kafkaClientProperties(conf)).containsOnly(
                Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.mechanism", "PLAIN"), Map.entry("client.id", "cams"),
                Map.entry("linger.ms", "20"), Map.entry("sasl.jaas.config", "a=b c=\"d\";"));
        // one key each, so that Flink's printing of the configuration hides the secret
        assertThat(conf.toMap()).containsEntry("vxflow.kafka.property.sasl.jaas.config", "a=b c=\"d\";");
        assertThat(conf.toString()).doesNotContain("c=\"d\"");
    }

    @Test
    void kafkaPropertyMistakesAreOneLineWithoutTheValue(@TempDir Path dir) throws Exception {
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--kafka-property", "security.protocol=SSL",
                "--kafka-property", "hunter2")).isEqualTo(2);
        assertOneLine("vxflow run: --kafka-property takes KEY=VALUE; the 2nd one has no '='");
        err.getBuffer().setLength(0);
        assertThat(run("produce", "--bootstrap", "localhost:9092", "--kafka-property", "group.id=cams", "clip.mp4")).isEqualTo(2);
        assertOneLine("vxflow produce: the Kafka client property 'group.id' is set by vxflow: use --group-id (vxflow.kafka.group-id)");
        err.getBuffer().setLength(0);
        Path missing = dir.resolve("client.properties");
        assertThat(run("produce", "--bootstrap", "localhost:9092", "--kafka-config", missing.toString(), "clip.mp4")).isEqualTo(2);
        assertOneLine("vxflow produce: Kafka client properties file " + missing + " does not exist");
        err.getBuffer().setLength(0);
        Path malformed = dir.resolve("bad.properties");
        Files.writeString(malformed, "security.protocol=SASL_SSL\nsasl.jaas.config\n");
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "--kafka-config", malformed.toString())).isEqualTo(2);
        assertOneLine("vxflow run: Kafka client properties file " + malformed + ": line 2 has no '=' (expected KEY=VALUE)");
        err.getBuffer().setLength(0);
        assertThat(run("run", "--bootstrap", "localhost:9092", "--model", "squares", "-Dvxflow.kafka.property=hunter2")).isEqualTo(2);
        assertOneLine("vxflow run: vxflow.kafka.property is not a map of Kafka client properties; set one property each: "
                + "vxflow.kafka.property.<key>=<value>");
    }

    @Test
    void secretsInArgumentsThatPicocliRepeatsAreHidden() {
        String jaas = "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"hunter2\";";
        assertThat(run("run", "--bootstrap", "localhost:9092", "--kafka-properties", jaas)).isEqualTo(2);
        assertThat(run("run", "--bootstrap", "localhost:9092", "-Dvxflow.kafka.property.ssl.key.password=s3cr3t-key", "--frobnicate",
                "--kafka-property", "ssl.truststore.password=tru5t-me", "surplus")).isEqualTo(2);
        assertThat(run("produce", "--bootstrap", "localhost:9092", "rtsp://admin:p@ssw0rd@cam/live", "rtsp://admin:pa/ss@cam/2")).isEqualTo(2);
        assertThat(err.toString().lines().toList()).containsExactly(
                "vxflow run: Unknown options: '--kafka-properties', 'sasl.jaas.config=***' (see 'vxflow run --help')",
                "vxflow run: Unknown options: '--frobnicate', 'surplus' (see 'vxflow run --help')",
                "vxflow produce: Unmatched argument at index 4: 'rtsp://admin:***@cam/2' (see 'vxflow produce --help')");
        assertThat(err.toString()).doesNotContain("hunter2").doesNotContain("s3cr3t-key").doesNotContain("tru5t-me")
                .doesNotContain("ssw0rd").doesNotContain("pa/ss");
    }

    private Configuration runConfiguration(String... flags) {
        CommandLine cmd = Vxflow.commandLine();
        String[] args = new String[flags.length + 3];
        args[0] = "run";
        args[1] = "--bootstrap";
        args[2] = "localhost:9092";
        System.arraycopy(flags, 0, args, 3, flags.length);
        cmd.parseArgs(args);
        return ((RunCommand) cmd.getSubcommands().get("run").getCommand()).configuration();
    }

    private void assertOneLine(String expected) {
        assertThat(err.toString().lines().toList()).containsExactly(expected);
    }
}
