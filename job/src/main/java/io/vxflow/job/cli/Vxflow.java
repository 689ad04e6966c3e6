package io.vxflow.job.cli;

import io.vxflow.connectors.broker.BrokerStartException;
import io.vxflow.connectors.producer.VideoSourceException;
import io.vxflow.gpu.infer.ModelException;
import io.vxflow.gpu.trt.TensorRtLibraryException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vxflow} command line: {@code demo}, {@code run}, {@code produce}, {@code broker}. User
 * mistakes (an unknown flag, a missing file, a bad value) print one line and exit with 2; other
 * failures print their message and exit with 1 ({@code VXFLOW_DEBUG=1} adds the stack trace).
 *
 * <p>Submitted through Flink's own client ({@code flink run vxflow.jar run ...}), {@code main} never
 * calls {@link System#exit}: it would take the client, or in application mode the JobManager, with
 * it. A failure is thrown to the client instead, after the same one-line message; Flink's client
 * then reports it in its own way (its exit code is 1).
 */
@Command(name = "vxflow", mixinStandardHelpOptions = true, versionProvider = Vxflow.Version.class,
        description = "GPU video analytics on Apache Flink: encoded video from Kafka in, per-frame results to Kafka, exactly once.",
        subcommands = {DemoCommand.class, RunCommand.class, ProduceCommand.class, BrokerCommand.class, BenchCommand.class, EngineCommand.class,
            CommandLine.HelpCommand.class})
public final class Vxflow implements Callable<Integer> {
    static final int USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (insideFlinkClient()) {
            if (code != 0) {
                // no arguments in the message: -D options can carry credentials
                throw new IllegalStateException("vxflow failed (exit code " + code + "); the reason is printed above");
            }
        } else {
            // a finished local run can leave non-daemon threads (Kafka clients, the mini cluster) behind
            System.exit(code);
        }
    }

    /** Whether Flink's client launched us: its context environment replaces the local one. */
    static boolean insideFlinkClient() {
        try {
            return !(StreamExecutionEnvironment.getExecutionEnvironment() instanceof LocalStreamEnvironment);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The configured command line; tests drive it directly. */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Vxflow());
        cmd.setParameterExceptionHandler(Vxflow::badParameters);
        cmd.setExecutionExceptionHandler(Vxflow::failed);
        return cmd;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return USER_ERROR;
    }

    private static int badParameters(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String name = cmd.getCommandSpec().qualifiedName();
        PrintWriter err = cmd.getErr();
        // picocli quotes unmatched arguments as they are: secrets among them are hidden
        err.println(name + ": " + SecretArguments.hide(e.getMessage(), args) + " (see '" + name + " --help')");
        err.flush();
        return USER_ERROR;
    }

    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        PrintWriter err = cmd.getErr();
        Throwable userError = userError(e);
        boolean user = userError != null;
        String[] args = parsed == null ? null : parsed.originalArgs().toArray(new String[0]);
        err.println(name + ": " + SecretArguments.hide(user ? message(userError) : describe(e), args));
        if (!user && System.getenv("VXFLOW_DEBUG") != null) {
            e.printStackTrace(err);
        } else if (!user) {
            err.println("(set VXFLOW_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return user ? USER_ERROR : 1;
    }

    /**
     * The user mistake behind a failure, or null: vxflow's own user errors anywhere in the cause chain
     * (a model missing on a TaskManager surfaces wrapped in Flink's job failure), and an illegal
     * argument only when it is the failure itself (deeper down it is somebody's bug).
     */
    static Throwable userError(Throwable e) {
        if (e instanceof IllegalArgumentException) {
            return e;
        }
        int depth = 0;
        for (Throwable t = e; t != null && depth < 64; t = t.getCause() == t ? null : t.getCause(), depth++) {
            if (t instanceof UserError || t instanceof ModelException || t instanceof TensorRtLibraryException || t instanceof BrokerStartException || t instanceof VideoSourceException) {
                return t;
            }
        }
        return null;
    }

    /**
     * The innermost useful message of an exception chain, skipping Flink's and the executor's wrappers
     * (on a cluster a task's failure reaches the client as "Job failed (JobID: ...)" around "Job
     * execution failed.", "Recovery is suppressed by ...", "Caught exception while processing timer.",
     * "Could not forward element to next operator" and only then the failure itself).
     */
    static String describe(Throwable e) {
        Throwable t = e;
        int depth = 0;
        while (t.getCause() != null && t.getCause() != t && depth++ < 64
                && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException
                        || t instanceof java.util.concurrent.CompletionException || t.getClass().getName().startsWith("org.apache.flink.")
                        || t.getMessage().contains("Job execution failed") || t.getMessage().startsWith("org.apache.flink."))) {
            t = t.getCause();
        }
        return message(t);
    }

    private static String message(Throwable t) {
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    /** The version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Vxflow.class.getPackage().getImplementationVersion();
            return new String[] {"vxflow " + (v != null ? v : "(development build)")};
        }
    }
}
