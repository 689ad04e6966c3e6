package io.vxflow.job.cli;

import io.vxflow.connectors.broker.BrokerStartException;
import io.vxflow.gpu.infer.ModelException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vxflow} command line: {@code demo}, {@code run}, {@code produce}, {@code broker}. User
 * mistakes (an unknown flag, a missing file, a bad value) print one line and exit with 2; other
 * failures print their message and exit with 1 ({@code VXFLOW_DEBUG=1} adds the stack trace).
 */
@Command(name = "vxflow", mixinStandardHelpOptions = true, versionProvider = Vxflow.Version.class,
        description = "GPU video analytics on Apache Flink: encoded video from Kafka in, per-frame results to Kafka, exactly once.",
        subcommands = {DemoCommand.class, RunCommand.class, ProduceCommand.class, BrokerCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Vxflow implements Callable<Integer> {
    static final int USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0 || RunCommand.exitWhenDone()) {
            System.exit(code);
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
        err.println(name + ": " + e.getMessage() + " (see '" + name + " --help')");
        err.flush();
        return USER_ERROR;
    }

    private static int failed(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        PrintWriter err = cmd.getErr();
        boolean user = isUserError(e);
        err.println(name + ": " + describe(e));
        if (!user && System.getenv("VXFLOW_DEBUG") != null) {
            e.printStackTrace(err);
        } else if (!user) {
            err.println("(set VXFLOW_DEBUG=1 for the stack trace)");
        }
        err.flush();
        return user ? USER_ERROR : 1;
    }

    static boolean isUserError(Throwable e) {
        return e instanceof UserError || e instanceof ModelException || e instanceof IllegalArgumentException
                || e instanceof BrokerStartException || e.getClass().getSimpleName().equals("VideoSourceException");
    }

    /** The innermost useful message of an exception chain. */
    static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t
                && (t.getMessage() == null || t instanceof java.util.concurrent.ExecutionException || t.getMessage().contains("Job execution failed"))) {
            t = t.getCause();
        }
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
