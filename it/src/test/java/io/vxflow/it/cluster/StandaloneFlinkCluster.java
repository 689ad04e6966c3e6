package io.vxflow.it.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.HeartbeatManagerOptions;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A standalone Flink session cluster of separate JVMs, started the way Flink's scripts start one:
 * a JobManager ({@code StandaloneSessionClusterEntrypoint}) and TaskManagers
 * ({@code TaskManagerRunner}), each with {@code --configDir} pointing at a {@code config.yaml}
 * written here, the memory flags Flink's own {@code BashJavaUtils} would compute, the JVM options of
 * Flink's default configuration for Java 17, and Flink's class path from {@code it/target/flink/lib}
 * (the jars of Flink's distribution, from Maven Central; see {@code it/pom.xml}). The job reaches
 * the cluster only as a user jar, through {@link #flink} (Flink's {@code CliFrontend}, what
 * {@code bin/flink} runs).
 *
 * <p>Owns the processes, the configuration directory, the checkpoint directory and a log
 * directory with one {@code <process>.log} (log4j) and {@code <process>.out} (stdout/stderr) per
 * JVM, kept after the test for diagnosis. TaskManagers can be killed with SIGKILL and replaced.
 *
 * <p>Configuration: file-system checkpoint storage in {@link #checkpointDir()}, checkpoints
 * retained on cancellation, a fixed-delay restart strategy (1 s, 1000 attempts), no tolerated
 * checkpoint failures, short heartbeats (so a killed TaskManager is noticed in about a second),
 * buffer debloating, a long exception history. {@link Builder#set} adds or overrides any key;
 * {@link Builder#clusterJvmOptions} adds JVM options, {@link Builder#classDataSharing} starts the
 * TaskManagers from a class archive written at {@link #start}.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {
    /** The JVM options Flink's default config.yaml sets for Java 17 ({@code env.java.opts.all}). */
    static final List<String> JAVA_17_OPTIONS = List.of(
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED", "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");
    private static final String JOB_MANAGER_MAIN = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    private static final String CLI_MAIN = "org.apache.flink.client.cli.CliFrontend";

    private final Path home;
    private final Path conf;
    private final Path logs;
    private final Path lib;
    private final int restPort;
    private final Configuration config;
    private final List<String> jobManagerJvm;
    private final List<String> taskManagerJvm;
    private final List<String> taskManagerDynamic;
    private final List<String> clusterExtraJvm;
    private final boolean classDataSharing;
    private Path classArchive;
    private final FlinkRest rest;
    private final List<ChildJvm> taskManagers = new ArrayList<>();
    private final List<ChildJvm> clients = new ArrayList<>();
    /** TaskManagers that were never part of the cluster's work (the class-archive one). */
    private final List<ChildJvm> others = new ArrayList<>();
    private final Thread reaper = new Thread(this::close, "standalone-flink-cluster-reaper");
    private ChildJvm jobManager;
    private int taskManagerCount;
    private int cliCount;

    private StandaloneFlinkCluster(Builder b) throws IOException {
        home = Files.createDirectories(b.home);
        conf = Files.createDirectories(home.resolve("conf"));
        logs = Files.createDirectories(b.logs);
        lib = b.lib;
        if (!hasJar(lib, "flink-runtime-")) {
            throw new IllegalStateException("no Flink class path in " + lib + ": build the it module with Maven (it copies Flink's jars there)");
        }
        restPort = freePort();
        Configuration c = new Configuration();
        c.set(JobManagerOptions.ADDRESS, "localhost");
        c.set(JobManagerOptions.PORT, freePort());
        c.set(JobManagerOptions.BIND_HOST, "localhost");
        c.set(JobManagerOptions.TOTAL_PROCESS_MEMORY, MemorySize.parse("1024m"));
        c.set(RestOptions.ADDRESS, "localhost");
        c.set(RestOptions.BIND_ADDRESS, "localhost");
        c.set(RestOptions.PORT, restPort);
        c.set(TaskManagerOptions.HOST, "localhost");
        c.set(TaskManagerOptions.BIND_HOST, "localhost");
        c.set(TaskManagerOptions.NUM_TASK_SLOTS, b.slots);
        c.set(TaskManagerOptions.TASK_MANAGER_LOAD_BALANCE_MODE, TaskManagerOptions.TaskManagerLoadBalanceMode.SLOTS);
        // The TaskManager's memory component by component (a production config.yaml would set a total):
        // no managed memory (the job keeps its state on the heap), room on the heap for frames and tensors
        c.set(TaskManagerOptions.FRAMEWORK_HEAP_MEMORY, MemorySize.parse("128m"));
        c.set(TaskManagerOptions.TASK_HEAP_MEMORY, b.taskHeap);
        c.set(TaskManagerOptions.TASK_OFF_HEAP_MEMORY, MemorySize.parse("128m"));
        c.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ZERO);
        c.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("64m"));
        c.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("64m"));
        c.set(TaskManagerOptions.JVM_METASPACE, MemorySize.parse("256m"));
        c.set(StateBackendOptions.STATE_BACKEND, "hashmap");
        c.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
        c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, home.resolve("checkpoints").toUri().toString());
        c.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, home.resolve("savepoints").toUri().toString());
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        c.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 3);
        // a checkpoint that fails (in its asynchronous part, say) fails the job over, as a lost TaskManager does
        c.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, 0);
        c.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        c.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        // A SIGKILLed TaskManager is noticed by failed heartbeat RPCs (two in a row) within about a second;
        // the timeout only matters for a hung one, and is long enough for a starved 2-core machine
        c.set(HeartbeatManagerOptions.HEARTBEAT_INTERVAL, Duration.ofMillis(500));
        c.set(HeartbeatManagerOptions.HEARTBEAT_TIMEOUT, Duration.ofSeconds(20));
        // As deploy/flink/config.yaml: in-flight data sized to about a second of throughput, so that a
        // checkpoint barrier does not queue behind the backlog a restarted job catches up on
        c.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, true);
        c.set(WebOptions.MAX_EXCEPTION_HISTORY_SIZE, 1000);
        c.set(CoreOptions.TMP_DIRS, Files.createDirectories(home.resolve("tmp")).toString());
        c.set(CoreOptions.FLINK_JVM_OPTIONS, String.join(" ", JAVA_17_OPTIONS));
        b.overrides.forEach(c::setString);
        config = c;
        writeConfiguration();

        JobManagerProcessSpec jm = JobManagerProcessUtils.processSpecFromConfig(c);
        jobManagerJvm = jvmOptions(JobManagerProcessUtils.generateJvmParametersStr(jm, c));
        TaskExecutorProcessSpec tm = TaskExecutorProcessUtils.processSpecFromConfig(c);
        taskManagerJvm = jvmOptions(ProcessMemoryUtils.generateJvmParametersStr(tm));
        taskManagerDynamic = Arrays.asList(TaskExecutorProcessUtils.generateDynamicConfigsStr(tm).trim().split("\\s+"));
        clusterExtraJvm = List.copyOf(b.extraJvm);
        classDataSharing = b.classDataSharing;
        rest = new FlinkRest(restPort);
        // a test JVM that ends without closing the cluster (a timeout, Ctrl-C) takes the cluster's JVMs with it
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    public static Builder builder(Path home, Path logs) {
        return new Builder(home, logs);
    }

    /** Starts the JobManager and the builder's TaskManagers; returns once they are registered. */
    public StandaloneFlinkCluster start(int initialTaskManagers) {
        List<String> jvm = new ArrayList<>(jobManagerJvm);
        jvm.addAll(clusterExtraJvm);
        jvm.addAll(logging("jobmanager"));
        jobManager = ChildJvm.start("jobmanager", jvm, classPath(), JOB_MANAGER_MAIN, List.of("--configDir", conf.toString()),
                Map.of(), home, logs);
        await("the JobManager's REST endpoint on port " + restPort, Duration.ofSeconds(90), rest::answers, jobManager);
        if (classDataSharing) {
            dumpClassArchive();
        }
        for (int i = 0; i < initialTaskManagers; i++) {
            startTaskManager();
        }
        awaitTaskManagers(initialTaskManagers, Duration.ofSeconds(90));
        return this;
    }

    /** Starts one more TaskManager (named {@code taskmanager-N}, also its resource id) and returns without waiting. */
    public synchronized ChildJvm startTaskManager() {
        List<String> jvm = new ArrayList<>();
        if (classArchive != null) {
            jvm.add("-XX:SharedArchiveFile=" + classArchive);
        }
        return startTaskManager("taskmanager-" + ++taskManagerCount, jvm);
    }

    private synchronized ChildJvm startTaskManager(String name, List<String> extraJvm) {
        List<String> jvm = new ArrayList<>(taskManagerJvm);
        jvm.addAll(clusterExtraJvm);
        jvm.addAll(extraJvm);
        jvm.addAll(logging(name));
        List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
        args.addAll(taskManagerDynamic);
        args.addAll(List.of("-D", "taskmanager.resource-id=" + name));
        ChildJvm tm = ChildJvm.start(name, jvm, classPath(), TASK_MANAGER_MAIN, args, Map.of(), home, logs);
        (name.equals("taskmanager-cds") ? others : taskManagers).add(tm);
        return tm;
    }

    /**
     * Writes the class-data sharing archive the TaskManagers start from: one TaskManager runs with
     * {@code -XX:ArchiveClassesAtExit}, registers, and is stopped with SIGTERM (a clean exit, which
     * writes the archive of every class it loaded). A TaskManager started from the archive maps those
     * classes instead of reading, parsing and verifying them from the jars again: a replacement for
     * a killed one comes up on less CPU. Without an archive (an older JVM, a failed dump) TaskManagers
     * start as before.
     */
    private void dumpClassArchive() {
        Path archive = home.resolve("taskmanager-classes.jsa");
        ChildJvm dumper = startTaskManager("taskmanager-cds", List.of("-XX:ArchiveClassesAtExit=" + archive));
        await("the class-archive TaskManager to register", Duration.ofSeconds(90), () -> rest.taskManagerIds().contains("taskmanager-cds"), dumper);
        try {
            dumper.stop(Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
            // no clean exit, so no archive: the TaskManagers start without one
            return;
        }
        await("the class-archive TaskManager to be gone", Duration.ofSeconds(30), () -> !rest.taskManagerIds().contains("taskmanager-cds"), jobManager);
        classArchive = Files.isRegularFile(archive) ? archive : null;
    }

    /** The TaskManager processes started so far that are still running. */
    public synchronized List<ChildJvm> liveTaskManagers() {
        return taskManagers.stream().filter(ChildJvm::isAlive).toList();
    }

    /** The running TaskManager process with this resource id. */
    public synchronized ChildJvm taskManager(String resourceId) {
        return taskManagers.stream().filter(t -> t.name().equals(resourceId) && t.isAlive()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no running TaskManager " + resourceId));
    }

    /** Waits until exactly {@code n} TaskManagers are registered with the JobManager. */
    public void awaitTaskManagers(int n, Duration timeout) {
        await(n + " registered TaskManagers", timeout, () -> rest.taskManagerIds().size() == n, jobManager);
    }

    public FlinkRest rest() {
        return rest;
    }

    public int restPort() {
        return restPort;
    }

    public Path checkpointDir() {
        return home.resolve("checkpoints");
    }

    public Path logDir() {
        return logs;
    }

    /**
     * Runs Flink's command line client ({@code bin/flink ARGS}) in its own JVM against this cluster
     * and waits for it; {@code -m} is added to {@code run} and {@code stop} so it targets this REST port.
     */
    public CliResult flink(Duration timeout, String... args) {
        String name = "flink-" + ++cliCount + "-" + args[0];
        List<String> jvm = new ArrayList<>(JAVA_17_OPTIONS);
        jvm.addAll(List.of("-Xmx512m", "-XX:TieredStopAtLevel=1"));
        jvm.addAll(logging(name));
        try (ChildJvm cli = ChildJvm.start(name, jvm, classPath(), CLI_MAIN, List.of(args),
                Map.of("FLINK_CONF_DIR", conf.toString()), home, logs)) {
            synchronized (this) {
                clients.add(cli);
            }
            int code = cli.waitFor(timeout);
            return new CliResult(code, cli.output(), cli.outputFile());
        }
    }

    /** What a {@code flink} client run printed, and its exit code. */
    public record CliResult(int exitCode, String output, Path outputFile) {
        /** The job id the client printed on submission ("Job has been submitted with JobID ..."). */
        public String jobId() {
            var m = java.util.regex.Pattern.compile("JobID ([0-9a-f]{32})").matcher(output);
            if (!m.find()) {
                throw new IllegalStateException("the flink client printed no job id (exit code " + exitCode + "); see " + outputFile);
            }
            return m.group(1);
        }
    }

    /** Polls {@code condition} until it holds; fails with the process's log named when {@code watched} died or time ran out. */
    public static void await(String what, Duration timeout, BooleanSupplier condition, ChildJvm watched) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException e) {
                last = e;
            }
            if (watched != null && !watched.isAlive()) {
                throw new IllegalStateException(watched + " died while waiting for " + what + "; see " + watched.outputFile());
            }
            try {
                // every look is a REST call the JobManager answers: more often costs CPU and gains little
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what
                + (watched != null ? "; see " + watched.outputFile() : "") + (last != null ? " (last error: " + last.getMessage() + ")" : ""), last);
    }

    /**
     * CPU time used so far by every JVM this cluster started (JobManager, TaskManagers, killed ones
     * included, and {@code flink} clients): what a crash test costs a machine, whatever else runs on it.
     */
    public synchronized Duration cpuTime() {
        Duration total = jobManager != null ? jobManager.cpuTime() : Duration.ZERO;
        for (ChildJvm p : taskManagers) {
            total = total.plus(p.cpuTime());
        }
        for (ChildJvm p : others) {
            total = total.plus(p.cpuTime());
        }
        for (ChildJvm p : clients) {
            total = total.plus(p.cpuTime());
        }
        return total;
    }

    /** {@link #cpuTime()} by process, for finding where a run's CPU went. */
    public synchronized Map<String, Duration> cpuTimeByProcess() {
        Map<String, Duration> out = new LinkedHashMap<>();
        if (jobManager != null) {
            out.put(jobManager.name(), jobManager.cpuTime());
        }
        java.util.stream.Stream.of(others, taskManagers, clients).flatMap(List::stream).forEach(p -> out.put(p.name(), p.cpuTime()));
        return out;
    }

    /** The JobManager's process; null before {@link #start}. */
    public ChildJvm jobManager() {
        return jobManager;
    }

    /** Kills every process of the cluster (SIGKILL; the logs stay). */
    @Override
    public synchronized void close() {
        taskManagers.forEach(ChildJvm::close);
        others.forEach(ChildJvm::close);
        if (jobManager != null) {
            jobManager.close();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
    }

    private String classPath() {
        return lib.resolve("*").toString();
    }

    /** Log4j to {@code <logs>/<name>.log}, as Flink's scripts pass {@code -Dlog.file} and the configuration file. */
    private List<String> logging(String name) {
        return List.of("-Dlog.file=" + logs.resolve(name + ".log"), "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    }

    private void writeConfiguration() throws IOException {
        StringBuilder yaml = new StringBuilder("# written by StandaloneFlinkCluster (vxflow it)\n");
        new java.util.TreeMap<>(config.toMap()).forEach((k, v) -> yaml.append(k).append(": '").append(v.replace("'", "''")).append("'\n"));
        Files.writeString(conf.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
        String log4j = String.join("\n",
                "monitorInterval = 0",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = MainAppender",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                "appender.main.name = MainAppender",
                "appender.main.type = File",
                "appender.main.append = true",
                "appender.main.fileName = ${sys:log.file}",
                "appender.main.layout.type = PatternLayout",
                "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                "");
        Files.writeString(conf.resolve("log4j.properties"), log4j, StandardCharsets.UTF_8);
    }

    private static List<String> jvmOptions(String generated) {
        List<String> out = new ArrayList<>(Arrays.asList(generated.trim().split("\\s+")));
        out.addAll(JAVA_17_OPTIONS);
        return out;
    }

    private static boolean hasJar(Path dir, String prefix) {
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(prefix));
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the cluster lives and how it is sized. */
    public static final class Builder {
        private final Path home;
        private final Path logs;
        private Path lib = Path.of(System.getProperty("vxflow.flink.lib", "target/flink/lib"));
        private int slots = 2;
        private MemorySize taskHeap = MemorySize.parse("512m");
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final List<String> extraJvm = new ArrayList<>();
        private boolean classDataSharing;

        private Builder(Path home, Path logs) {
            this.home = home;
            this.logs = logs;
        }

        public Builder slotsPerTaskManager(int slots) {
            this.slots = slots;
            return this;
        }

        public Builder taskHeap(MemorySize size) {
            this.taskHeap = size;
            return this;
        }

        /** JVM options added to every TaskManager's and the JobManager's, after Flink's. */
        public Builder clusterJvmOptions(String... options) {
            extraJvm.addAll(List.of(options));
            return this;
        }

        /** Whether {@link #start} first writes a class-data sharing archive for the TaskManagers (see {@code dumpClassArchive}). */
        public Builder classDataSharing(boolean on) {
            classDataSharing = on;
            return this;
        }

        /** Adds or overrides a config.yaml entry. */
        public Builder set(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public StandaloneFlinkCluster build() {
            try {
                return new StandaloneFlinkCluster(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the cluster's configuration", e);
            }
        }
    }
}
