package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Cameras joining and leaving every second ({@link ChurnProducer}: about ten at once, each for 6 to
 * 14 s, some coming back under their old id) through {@code vxflow run} on the CPU backend (with a
 * 64x64 classifier, {@link MeanColourModel}, so that the decode stage is most of the work), the job
 * in a JVM of its own on a local MiniCluster, against a real broker. The job's resident set and the
 * JVM's own native memory (Native Memory Tracking) are sampled every few seconds, with the decode
 * stage's tracked streams and evictions from its Prometheus endpoint. Passes when every stream's
 * committed results are exactly its frames, once, in order, numbered without gaps across its lives,
 * and neither the resident set nor the JVM's native memory grew by more than the bounds after the
 * warm-up.
 *
 * <p>CI runs 30 s of cameras (15 s of warm-up, resident set bound 128 MiB: a gross leak); {@code -Dvxflow.churn.seconds=1800} is the 30-minute
 * run of docs/reliability-fuzz-churn.md. For the GPU: {@code -Dvxflow.churn.backend=gpu} samples the
 * device's memory too (gauge {@code gpuDeviceMemoryUsedBytes}, bound {@code
 * vxflow.churn.max-device-growth-mb}, 16), {@code -Dvxflow.churn.concurrent=64} keeps about 64
 * cameras live, {@code -Dvxflow.churn.damaged-percent=1} cuts 1% of the non-key units short (then
 * only the pictures of GOPs with a damaged unit may be missing; nothing may be duplicated or out of
 * order). The series and a summary go to {@code it/target/churn/}.
 */
class ChurnITCase {
    private static final String STREAMS = "flink_taskmanager_job_task_operator_streams";
    private static final String EVICTED = "flink_taskmanager_job_task_operator_streamsEvicted";
    private static final String SUPPRESSED = "flink_taskmanager_job_task_operator_framesSuppressedOutOfOrder";
    private static final String REPLAYS = "flink_taskmanager_job_task_operator_replays";
    private static final String BAD_INPUT = "flink_taskmanager_job_task_operator_badInput_";
    private static final String DEVICE_MEMORY = "gpuDeviceMemoryUsedBytes";

    /**
     * Silence after which a stream's decoder is drained. Short, so that a departed B-frame stream's last
     * frames come out soon; not shorter, because a slot that stalls for longer (a loaded machine) makes
     * live streams look silent, and a B-frame stream drained mid-GOP then loses the frames the drain
     * overtook (docs/reliability-fuzz-churn.md).
     */
    private static final long IDLE_FLUSH_MS = 3_000;

    /** One sample of the job's memory, in MiB, with what the job and the producer were doing then. */
    record Row(double seconds, double rssMb, double nmtMb, double heapMb, double threadMb, double otherMb, double tracked, double evicted,
            double replays, double suppressed, double badInput, long results, int live, double deviceMb) {}

    @Test
    void camerasComingAndGoingLeakNothingAndGetEveryResultOnce() throws Exception {
        long seconds = Long.getLong("vxflow.churn.seconds", 30);
        long warmup = Long.getLong("vxflow.churn.warmup-seconds", seconds <= 60 ? seconds / 2 : Math.min(120, Math.max(45, seconds / 3)));
        long every = Long.getLong("vxflow.churn.sample-seconds", seconds > 300 ? 15 : 3);
        // a short run's window lies inside the job's own warm-up (the resident set still settles for minutes: 1,383 to 1,434 MiB
        // from 22 s to 105 s in the 30-minute run), so its bound catches only a gross leak; the long runs measure
        double rssBound = Long.getLong("vxflow.churn.max-rss-growth-mb", seconds <= 60 ? 128 : 64);
        double nmtBound = Long.getLong("vxflow.churn.max-nmt-growth-mb", 32);
        double deviceBound = Long.getLong("vxflow.churn.max-device-growth-mb", 16);
        String backend = System.getProperty("vxflow.churn.backend", "cpu");
        int concurrent = Integer.getInteger("vxflow.churn.concurrent", 10);
        double damaged = Double.parseDouble(System.getProperty("vxflow.churn.damaged-percent", "0")) / 100;
        Path out = Path.of("target", "churn").toAbsolutePath();
        Files.createDirectories(out);
        List<Row> rows = new ArrayList<>();
        ChurnProducer producer;
        Map<String, List<long[]>> results;
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            broker.start();
            // one frames partition per source subtask: a reader with several partitions of backlog reads one partition's
            // fetch after another's, so a live stream can look silent for longer than the eviction time (docs/reliability-fuzz-churn.md)
            broker.createTopic("frames-churn", 2);
            broker.createTopic("results-churn", 4);
            List<List<AccessUnit>> clips = ChurnClips.all(ChurnProducer.clipFrames(concurrent));
            int port = freePort();
            Path log = out.resolve("churn-" + seconds + "s-job.log");
            Path model = MeanColourModel.write(out.resolve("mean-colour-64.onnx"));
            Process job = startJob(broker, port, model, log, backend);
            try (WireProducer wire = new WireProducer(broker.bootstrapServers(), "frames-churn");
                    ResultTally tally = new ResultTally(broker.bootstrapServers(), "results-churn")) {
                awaitRunning(job, port, log);
                producer = new ChurnProducer(clips, wire, 20261201L, concurrent, damaged);
                Sampler sampler = new Sampler(job, port, tally, producer, rows, every); // its clock starts with the cameras
                sampler.start();
                long start = System.nanoTime();
                for (long tick = 0; tick < seconds * ChurnProducer.FPS; tick++) {
                    assertAlive(job, log);
                    synchronized (producer) {
                        producer.tick(tick);
                    }
                    long due = start + (tick + 1) * 1_000_000_000L / ChurnProducer.FPS;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                wire.close();
                synchronized (producer) {
                    producer.stop();
                }
                System.out.printf(Locale.ROOT, "churn: producing done, %d of %d results committed%n", tally.count(), producer.expectedResults());
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                while (tally.count() < producer.expectedResults() && System.nanoTime() < deadline) {
                    assertAlive(job, log);
                    Thread.sleep(500);
                }
                Thread.sleep(3_000); // a duplicate would be committed by now: several more checkpoints
                assertAlive(job, log);
                sampler.stop();
                results = tally.snapshot();
            } finally {
                job.destroy();
                if (!job.waitFor(30, TimeUnit.SECONDS)) {
                    job.destroyForcibly();
                }
            }
        }
        Summary s = Summary.of(rows, warmup);
        String report = report(seconds, warmup, backend, producer, rows, s);
        Files.writeString(out.resolve("churn-" + seconds + "s.txt"), report);
        Files.writeString(out.resolve("churn-" + seconds + "s.csv"), csv(rows));
        System.out.println(report);

        Map<String, String> wrong = new java.util.TreeMap<>();
        producer.expected().forEach((id, pts) -> {
            List<long[]> got = results.getOrDefault(id, List.of());
            List<Long> gotPts = got.stream().map(r -> r[0]).toList();
            if (damaged > 0) {
                // pictures of a GOP with a damaged unit may be missing; the rest exactly once, in order
                java.util.Set<Long> lost = producer.mayBeLost(id);
                List<Long> required = pts.stream().filter(p -> !lost.contains(p)).toList();
                List<Long> kept = gotPts.stream().filter(p -> !lost.contains(p)).toList();
                boolean ordered = java.util.stream.IntStream.range(1, gotPts.size()).allMatch(i -> gotPts.get(i - 1) < gotPts.get(i));
                if (!kept.equals(required) || !ordered || !pts.containsAll(gotPts)) {
                    List<Long> missing = new ArrayList<>(required);
                    missing.removeAll(gotPts);
                    wrong.put(id, got.size() + " results for " + pts.size() + " frames (" + lost.size() + " in damaged GOPs); missing pts "
                            + missing + (ordered ? "" : "; duplicates or out of order") + (pts.containsAll(gotPts) ? "" : "; pts never sent"));
                }
                return;
            }
            if (!gotPts.equals(pts)) {
                List<Long> missing = new ArrayList<>(pts);
                missing.removeAll(gotPts);
                wrong.put(id, got.size() + " results for " + pts.size() + " frames; missing pts " + missing + (gotPts.stream().distinct().count()
                        < gotPts.size() ? "; duplicates" : "") + (missing.isEmpty() ? "; out of order" : ""));
                return;
            }
            for (int i = 0; i < got.size(); i++) {
                if (got.get(i)[1] != i) {
                    wrong.put(id, "result " + i + " numbered " + got.get(i)[1]);
                    return;
                }
            }
        });
        results.keySet().stream().filter(id -> !producer.expected().containsKey(id)).forEach(id -> wrong.put(id, "results of a stream never sent"));
        assertThat(wrong).as("streams whose committed results are not their frames once each, in order, numbered without gaps across lives")
                .isEmpty();
        assertThat(s.samplesAfterWarmup).as("samples after the warm-up").isGreaterThanOrEqualTo(3);
        assertThat(s.rssGrowthMb).as("resident set growth after the warm-up (MiB); %s", report).isLessThanOrEqualTo(rssBound);
        assertThat(s.nmtGrowthMb).as("JVM native memory growth after the warm-up (MiB); %s", report).isLessThanOrEqualTo(nmtBound);
        assertThat(s.maxTracked).as("streams the decode stage tracks (state expiry at 30 s)").isLessThanOrEqualTo(2 * concurrent + 60);
        assertThat(s.lastEvicted).as("decoders evicted").isPositive();
        if (damaged > 0) {
            assertThat(s.badInput).as("bad input counted for the damaged units").isPositive();
        }
        if (!backend.equals("cpu")) {
            assertThat(s.deviceStart).as("device memory sampled (gauge %s)", DEVICE_MEMORY).isPositive();
            assertThat(s.deviceGrowthMb).as("device memory growth after the warm-up (MiB); %s", report).isLessThanOrEqualTo(deviceBound);
        }
    }

    /** {@code vxflow run} as its own JVM: a fixed, pre-touched heap, so that the resident set moves only with native memory. */
    private static Process startJob(EmbeddedKafkaBroker broker, int port, Path model, Path log, String backend) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms1g", "-Xmx1g",
                "-XX:+AlwaysPreTouch", "-XX:+UseParallelGC", "-XX:NativeMemoryTracking=summary",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.vxflow.job.cli.Vxflow", "run",
                "--bootstrap", broker.bootstrapServers(), "--in", "frames-churn", "--out", "results-churn", "--model", model.toString(),
                "--backend", backend, "--from", "earliest", "--parallelism", "2", "--checkpoint-interval-ms", "1000", "--idle-flush-ms", Long.toString(IDLE_FLUSH_MS),
                "--transactional-id-prefix", "it-churn", "--prometheus-port", Integer.toString(port),
                "-Dvxflow.decode.evict-after=10s", "-Dvxflow.decode.state-expiry=30s"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Waits until both decode subtasks run (their gauges are served), so that the cameras start on a
     * job that keeps up rather than on a backlog: behind by more than the eviction time, a live
     * stream looks silent to the decode stage (docs/reliability-fuzz-churn.md).
     */
    private static void awaitRunning(Process job, int port, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest get = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            assertAlive(job, log);
            try {
                if (PrometheusScrapeITCase.Scrape.parse(http.send(get, HttpResponse.BodyHandlers.ofString()).body()).samples(STREAMS).size() == 2) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the job's decode stage did not start within 3 minutes");
    }

    private static void assertAlive(Process job, Path log) throws IOException {
        if (!job.isAlive()) {
            List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
            throw new AssertionError("vxflow run exited with " + job.exitValue() + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
    }

    /** Samples the job every few seconds on a thread of its own. */
    private static final class Sampler {
        private final Thread thread;
        private volatile boolean running = true;

        Sampler(Process job, int port, ResultTally tally, ChurnProducer producer, List<Row> rows, long every) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            HttpRequest get = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build();
            long t0 = System.nanoTime();
            thread = new Thread(() -> {
                while (running && job.isAlive()) {
                    ProcessMemory.Reading m = ProcessMemory.read(job.pid());
                    double tracked = -1, evicted = -1, replays = -1, suppressed = -1, bad = -1, device = -1;
                    try {
                        PrometheusScrapeITCase.Scrape s = PrometheusScrapeITCase.Scrape.parse(http.send(get, HttpResponse.BodyHandlers.ofString()).body());
                        tracked = sum(s, STREAMS);
                        evicted = sum(s, EVICTED);
                        replays = sum(s, REPLAYS);
                        suppressed = sum(s, SUPPRESSED);
                        bad = s.all().stream().filter(x -> x.name().startsWith(BAD_INPUT)).mapToDouble(PrometheusScrapeITCase.Sample::value).sum();
                        // the whole device's memory, as every slot reports it: the largest reading
                        device = s.all().stream().filter(x -> x.name().endsWith(DEVICE_MEMORY)).mapToDouble(PrometheusScrapeITCase.Sample::value)
                                .max().orElse(-1) / (1 << 20);
                    } catch (IOException e) {
                        // the endpoint is not up yet
                    } catch (InterruptedException e) {
                        return;
                    }
                    int live;
                    synchronized (producer) {
                        live = producer.liveStreams();
                    }
                    synchronized (rows) {
                        System.out.printf(Locale.ROOT, "churn %5.0f s: RSS %.0f MiB, NMT %.0f MiB, %.0f streams tracked, %.0f evicted, %.0f replays,"
                                + " %.0f suppressed, %.0f bad input, %d results%s%n", (System.nanoTime() - t0) / 1e9, m.rssKb() / 1024.0,
                                m.nmtCommittedKb() / 1024.0, tracked, evicted, replays, suppressed, bad, tally.count(),
                                device > 0 ? String.format(Locale.ROOT, ", device %.0f MiB", device) : "");
                        rows.add(new Row((System.nanoTime() - t0) / 1e9, m.rssKb() / 1024.0, m.nmtCommittedKb() / 1024.0, mb(m, "Java Heap"),
                                mb(m, "Thread"), mb(m, "Other"), tracked, evicted, replays, suppressed, bad, tally.count(), live, device));
                    }
                    try {
                        Thread.sleep(every * 1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "churn-sampler");
            thread.setDaemon(true);
        }

        private static double sum(PrometheusScrapeITCase.Scrape s, String name) {
            return s.samples(name).stream().mapToDouble(PrometheusScrapeITCase.Sample::value).sum();
        }

        private static double mb(ProcessMemory.Reading m, String category) {
            Long kb = m.nmtCommittedByCategory().get(category);
            return kb == null ? -1 : kb / 1024.0;
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(60_000);
        }
    }

    /** The series after the warm-up: growth over the first sample after it, least-squares slope, extremes. */
    record Summary(int samplesAfterWarmup, double rssStart, double rssEnd, double rssMax, double rssGrowthMb, double rssSlopeMbPerHour,
            double nmtStart, double nmtEnd, double nmtMax, double nmtGrowthMb, double nmtSlopeMbPerHour, double maxTracked, double lastEvicted,
            double replays, double suppressed, double badInput, double deviceStart, double deviceMax, double deviceGrowthMb,
            double deviceSlopeMbPerHour) {
        static Summary of(List<Row> rows, long warmup) {
            List<Row> after = rows.stream().filter(r -> r.seconds() >= warmup && r.rssMb() > 0 && r.nmtMb() > 0).toList();
            if (after.isEmpty()) {
                return new Summary(0, 0, 0, 0, Double.NaN, Double.NaN, 0, 0, 0, Double.NaN, Double.NaN, 0, 0, 0, 0, 0, 0, 0, Double.NaN,
                        Double.NaN);
            }
            Row first = after.get(0), last = after.get(after.size() - 1);
            double rssMax = after.stream().mapToDouble(Row::rssMb).max().orElse(0);
            double nmtMax = after.stream().mapToDouble(Row::nmtMb).max().orElse(0);
            List<Row> device = after.stream().filter(r -> r.deviceMb() > 0).toList();
            double deviceStart = device.isEmpty() ? 0 : device.get(0).deviceMb();
            double deviceMax = device.stream().mapToDouble(Row::deviceMb).max().orElse(0);
            return new Summary(after.size(), first.rssMb(), last.rssMb(), rssMax, rssMax - first.rssMb(), slope(after, Row::rssMb) * 3600,
                    first.nmtMb(), last.nmtMb(), nmtMax, nmtMax - first.nmtMb(), slope(after, Row::nmtMb) * 3600,
                    rows.stream().mapToDouble(Row::tracked).max().orElse(0), last.evicted(), last.replays(), last.suppressed(), last.badInput(),
                    deviceStart, deviceMax, device.isEmpty() ? Double.NaN : deviceMax - deviceStart,
                    device.isEmpty() ? Double.NaN : slope(device, Row::deviceMb) * 3600);
        }

        private static double slope(List<Row> rows, java.util.function.ToDoubleFunction<Row> y) {
            double n = rows.size(), sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (Row r : rows) {
                double x = r.seconds(), v = y.applyAsDouble(r);
                sx += x;
                sy += v;
                sxx += x * x;
                sxy += x * v;
            }
            double d = n * sxx - sx * sx;
            return d == 0 ? 0 : (n * sxy - sx * sy) / d;
        }
    }

    private static String report(long seconds, long warmup, String backend, ChurnProducer p, List<Row> rows, Summary s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "churn %s: %d s of cameras joining every second, %s backend, warm-up %d s, %d samples%n", Instant.now(),
                seconds, backend, warmup, rows.size()));
        b.append(String.format(Locale.ROOT, "  joins %d (%d returning ids), %d distinct streams, at most %d live, %d access units (%d damaged), %d"
                + " results expected%n", p.joins(), p.returns(), p.distinctStreams(), rows.stream().mapToInt(Row::live).max().orElse(0), p.units(),
                p.damagedUnits(), p.expectedResults()));
        b.append(String.format(Locale.ROOT, "  RSS MiB after warm-up: start %.1f, end %.1f, max %.1f, growth %.1f, slope %.1f MiB/h%n", s.rssStart(),
                s.rssEnd(), s.rssMax(), s.rssGrowthMb(), s.rssSlopeMbPerHour()));
        b.append(String.format(Locale.ROOT, "  NMT committed MiB after warm-up: start %.1f, end %.1f, max %.1f, growth %.1f, slope %.1f MiB/h%n",
                s.nmtStart(), s.nmtEnd(), s.nmtMax(), s.nmtGrowthMb(), s.nmtSlopeMbPerHour()));
        b.append(String.format(Locale.ROOT, "  decode stage: at most %.0f streams tracked, %.0f decoders evicted (idle flush %d ms, evict-after 10 s, state"
                + " expiry 30 s); %.0f replays, %.0f frames suppressed out of order, %.0f bad input%n", s.maxTracked(), s.lastEvicted(), IDLE_FLUSH_MS,
                s.replays(), s.suppressed(), s.badInput()));
        if (s.deviceStart() > 0) {
            b.append(String.format(Locale.ROOT, "  device memory MiB after warm-up: start %.1f, max %.1f, growth %.1f, slope %.1f MiB/h%n",
                    s.deviceStart(), s.deviceMax(), s.deviceGrowthMb(), s.deviceSlopeMbPerHour()));
        }
        return b.toString();
    }

    private static String csv(List<Row> rows) {
        StringBuilder b = new StringBuilder("seconds,rss_mib,nmt_committed_mib,nmt_heap_mib,nmt_thread_mib,nmt_other_mib,streams_tracked,"
                + "decoders_evicted,replays,suppressed,bad_input,results,live_streams,device_mib\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.0f,%.0f,%.0f,%.0f,%.0f,%d,%d,%.1f%n", r.seconds(), r.rssMb(), r.nmtMb(),
                    r.heapMb(), r.threadMb(), r.otherMb(), r.tracked(), r.evicted(), r.replays(), r.suppressed(), r.badInput(), r.results(), r.live(),
                    r.deviceMb()));
        }
        return b.toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
