package io.vxflow.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
    @ValueSource(strings = {"demo", "run", "produce", "broker"})
    void everyCommandHasHelp(String command) {
        assertThat(run(command, "--help")).isZero();
        assertThat(out.toString()).contains("Usage: vxflow " + command).contains("--help");
        assertThat(err.toString()).isEmpty();
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

    private void assertOneLine(String expected) {
        assertThat(err.toString().lines().toList()).containsExactly(expected);
    }
}
