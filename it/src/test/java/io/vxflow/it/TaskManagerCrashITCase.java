package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.it.cluster.ChildJvm;
import io.vxflow.it.cluster.StandaloneFlinkCluster;
import io.vxflow.job.FailureInjection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once through TaskManager crashes: vxflow runs on a standalone cluster of two TaskManagers
 * (two slots each) over {@value #DEFAULT_STREAMS} live cameras (H.264 and HEVC, with B-frames), and
 * TaskManagers that run its tasks are killed with SIGKILL at random moments, each replaced by a new
 * one (a quarter of the kills while the job is still being deployed or restored after the last);
 * on top, the job fails itself before the commit of every {@value #BEFORE_COMMIT_EVERY}th
 * checkpoint and in the asynchronous part of every {@value #ASYNC_CHECKPOINT_EVERY}th ({@link
 * FailureInjection}; the run goes on until both have happened). A read_committed consumer reads the results all along. At the
 * end (cameras stopped, every frame read, {@code flink stop --drain}) every published frame has
 * exactly one result, in pts order, with the scene's boxes, and no transaction is left open.
 *
 * <p>CI runs {@value #DEFAULT_KILLS} kills, the number: they cost 348, 366 and 387 CPU-seconds
 * (cluster and test JVM) in three runs, 8 kills 279 and 294, the 3 kills of before 264; the suite as a
 * whole stays under CI's 20 minutes with them (docs/reliability.md, "Cost in CI"). Most of a kill's cost was the JVMs, not the job: each new
 * TaskManager spent about 13 of its first 30 CPU-seconds in the C2 compiler and 4 in its main
 * thread. So the cluster's JVMs start with {@link #CLUSTER_JVM_OPTIONS} (C1 only, the serial
 * collector: these JVMs live seconds to minutes on a small machine) and the TaskManagers from a
 * class-data sharing archive written once per run; the cameras start once the job runs; buffer
 * debloating keeps the first checkpoint after a restore from queueing behind the backlog.
 * docs/reliability.md ("Cost in CI") has the figures, lever by lever. The long run: {@code
 * mvn -pl it -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=TaskManagerCrashITCase -Dvxflow.crash.kills=50}; also {@code -Dvxflow.crash.streams},
 * {@code -Dvxflow.crash.fps}, {@code -Dvxflow.crash.seed} (the kill timing's random seed, printed),
 * {@code -Dvxflow.crash.wait-minutes} (3: how long the job may show no progress), {@code
 * -Dvxflow.crash.cluster-jvm="..."} (the cluster JVMs' extra options instead of the default) and
 * {@code -Dvxflow.crash.cds=false}. Processes' logs are kept in {@code
 * it/target/cluster-logs/TaskManagerCrashITCase}; the log line of each kill has the victim's CPU
 * time by kind of thread.
 */
class TaskManagerCrashITCase {
    static final int DEFAULT_KILLS = 10;
    /**
     * Extra options of the cluster's JVMs, which live seconds to minutes: C1 only (C2 spent about 13 of a
     * new TaskManager's first 30 CPU-seconds compiling start-up code), and the serial collector.
     */
    static final String CLUSTER_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC";
    private static final String CLUSTER_JVM = System.getProperty("vxflow.crash.cluster-jvm", System.getProperty("vxflow.crash.tm-jvm", CLUSTER_JVM_OPTIONS));
    static final int DEFAULT_STREAMS = 8;
    private static final int KILLS = Integer.getInteger("vxflow.crash.kills", DEFAULT_KILLS);
    private static final int STREAMS = Integer.getInteger("vxflow.crash.streams", DEFAULT_STREAMS);
    /** One frame a second a camera: 8 streams use about a third of the CPU backend's capacity on 2 cores, so backlogs drain. */
    private static final int FPS = Integer.getInteger("vxflow.crash.fps", 1);
    /** Injected failures: before the commit of every Nth checkpoint, in the asynchronous part of every Mth. */
    static final int BEFORE_COMMIT_EVERY = 20;
    static final int ASYNC_CHECKPOINT_EVERY = 30;
    /** How long the job may show no progress (a completed checkpoint, results) before the run fails; more on a starved machine. */
    private static final Duration WAIT = Duration.ofMinutes(Integer.getInteger("vxflow.crash.wait-minutes", 3));

    @Test
    void sigkilledTaskManagersAndInjectedFailuresLoseAndRepeatNothing(@TempDir Path home) {
        long seed = Long.getLong("vxflow.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        // a quarter of the kills (at least one) hit the job while it is still being deployed or restored: which ones is random,
        // how many is not (a 10-kill run that drew none, as one in 13 would, tested no interrupted restore)
        List<Integer> laterKills = new java.util.ArrayList<>(java.util.stream.IntStream.rangeClosed(2, KILLS).boxed().toList());
        java.util.Collections.shuffle(laterKills, random);
        java.util.Set<Integer> recoveryKills = java.util.Set.copyOf(laterKills.subList(0, Math.min(laterKills.size(), Math.max(1, KILLS / 4))));
        long cpuBefore = testJvmCpuSeconds();
        log("seed %d (-Dvxflow.crash.seed=%d repeats the kill timing), %d kills, %d streams at %d fps", seed, seed, KILLS, STREAMS, FPS);
        long started = System.nanoTime();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build();
                StandaloneFlinkCluster cluster = StandaloneFlinkCluster.builder(home, ItFiles.logDir(TaskManagerCrashITCase.class))
                        .slotsPerTaskManager(2)
                        .clusterJvmOptions(CLUSTER_JVM.isBlank() ? new String[0] : CLUSTER_JVM.trim().split("\\s+"))
                        .classDataSharing(Boolean.parseBoolean(System.getProperty("vxflow.crash.cds", "true")))
                        .build()) {
            broker.start();
            CrashRun run = new CrashRun("tm-crash", broker.bootstrapServers(), cluster, STREAMS, FPS);
            broker.createTopic(run.frames, CrashRun.PARTITIONS);
            broker.createTopic(run.results, CrashRun.PARTITIONS);
            cluster.start(2);
            try (run) {
                run.start("-Dvxflow.test.inject-failures=before-commit:" + BEFORE_COMMIT_EVERY + ",async-checkpoint:" + ASYNC_CHECKPOINT_EVERY);
                long checkpoint = run.awaitProgress(0, WAIT);
                for (int kill = 1; kill <= KILLS; kill++) {
                    boolean duringRecovery = recoveryKills.contains(kill);
                    if (duringRecovery) {
                        // a quarter of the kills hit the job while it is still being deployed or restored
                        StandaloneFlinkCluster.await("tasks deployed", WAIT, () -> cluster.rest().taskManagersOf(run.jobId()).stream()
                                .anyMatch(h -> cluster.liveTaskManagers().stream().anyMatch(t -> t.name().equals(h))), null);
                        sleep(random.nextInt(1_000));
                    } else {
                        cluster.awaitTaskManagers(2, WAIT);
                        checkpoint = run.awaitProgress(checkpoint, WAIT);
                        // a random moment within two checkpoint intervals: before, during or after a checkpoint or its commit
                        sleep(random.nextInt((int) (2 * CrashRun.CHECKPOINT_INTERVAL.toMillis())));
                    }
                    List<String> hosts = new java.util.ArrayList<>(cluster.rest().taskManagersOf(run.jobId()));
                    hosts.removeIf(h -> cluster.liveTaskManagers().stream().noneMatch(t -> t.name().equals(h))); // killed, not yet noticed
                    if (hosts.isEmpty()) {
                        kill--; // the job is between attempts (an injected failure): choose again
                        continue;
                    }
                    ChildJvm victim = cluster.taskManager(hosts.get(random.nextInt(hosts.size())));
                    Map<String, Duration> threads = victim.cpuByThreadKind();
                    victim.kill();
                    log("  %s used %d ms CPU: %s; cluster so far %d s, test JVM %d s", victim.name(), victim.cpuTime().toMillis(), threads,
                            cluster.cpuTime().toSeconds(), testJvmCpuSeconds() - cpuBefore);
                    log("kill %d: SIGKILL %s (tasks on %s)%s, %d of %d published frames committed", kill, victim, hosts,
                            duringRecovery ? " during recovery" : "", run.committedCount(), run.publishedCount());
                    cluster.startTaskManager();
                }
                cluster.awaitTaskManagers(2, WAIT);
                // a short run may end its kills before both kinds of injected failure came round: go on under load until they have
                StandaloneFlinkCluster.await("both kinds of injected failure", WAIT, () -> injectedFailures(cluster.logDir()).size() == 2, null);
                ExactlyOnceCheck verdict = run.finish(WAIT);
                cluster.liveTaskManagers().forEach(t -> log("  %s used %d ms CPU: %s", t.name(), t.cpuTime().toMillis(), t.cpuByThreadKind()));
                log("  %s used %d ms CPU: %s", cluster.jobManager().name(), cluster.jobManager().cpuTime().toMillis(), cluster.jobManager().cpuByThreadKind());
                log("  CPU by process: %s", cluster.cpuTimeByProcess());
                Map<String, Integer> failures = failuresByCause(cluster.rest().exceptionHistory(run.jobId()));
                Map<String, java.util.Set<Long>> injected = injectedFailures(cluster.logDir());
                log("%s; %d kills; failures injected at checkpoints %s; job failures by cause %s; %d s, CPU: cluster %d s, test JVM (broker, cameras, reader) %d s", verdict.summary(),
                        KILLS, injected, failures, (System.nanoTime() - started) / 1_000_000_000L, cluster.cpuTime().toSeconds(), testJvmCpuSeconds() - cpuBefore);

                assertThat(verdict.problems()).as(verdict.summary()).isEmpty();
                assertThat(verdict.published()).as("frames published").isGreaterThan((long) STREAMS * FPS * 10);
                assertThat(run.openTransactions()).as("transactions left open").isEmpty();
                assertThat(injected.keySet()).as("kinds of failure injected").containsExactly("asynchronous checkpoint part", "before commit");
                assertThat(failures).as("job failures by cause").containsKeys("injected before commit", "failed checkpoint");
                assertThat(failures.values().stream().mapToInt(Integer::intValue).sum()).as("job failures").isGreaterThanOrEqualTo(KILLS);
            }
        }
    }

    /** The job's failures (its exception history) by exception, the injected ones by kind. */
    static Map<String, Integer> failuresByCause(List<JsonNode> history) {
        Map<String, Integer> out = new TreeMap<>();
        for (JsonNode entry : history) {
            String trace = entry.path("stacktrace").asText();
            String cause = trace.contains(FailureInjection.MESSAGE_PREFIX + "failing after checkpoint") ? "injected before commit"
                    : trace.contains("Exceeded checkpoint tolerable failure threshold") ? "failed checkpoint"
                    : entry.path("exceptionName").asText().replaceAll(".*\\.", "");
            out.merge(cause, 1, Integer::sum);
        }
        return out;
    }

    /**
     * The checkpoints each kind of injected failure hit, from the TaskManagers' logs (a failure in a
     * checkpoint's asynchronous part reaches the job's exception history only as "Exceeded checkpoint
     * tolerable failure threshold").
     */
    static Map<String, java.util.Set<Long>> injectedFailures(Path logDir) {
        Map<String, java.util.Set<Long>> out = new TreeMap<>();
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(FailureInjection.MESSAGE_PREFIX)
                + "failing (after checkpoint|in the asynchronous part of checkpoint) (\\d+)");
        try (var files = java.nio.file.Files.list(logDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().matches("taskmanager-\\d+\\.log")).toList()) {
                var m = p.matcher(java.nio.file.Files.readString(f));
                while (m.find()) {
                    out.computeIfAbsent(m.group(1).startsWith("after") ? "before commit" : "asynchronous checkpoint part", k -> new java.util.TreeSet<>())
                            .add(Long.parseLong(m.group(2)));
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    static long testJvmCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()
                / 1_000_000_000L;
    }

    static void log(String format, Object... args) {
        System.out.printf("%tT %s%n", System.currentTimeMillis(), String.format(format, args));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
