package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vxflow.gpu.pipeline.GpuProbe;
import io.vxflow.job.cli.Vxflow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command, as documented: {@code vxflow bench e2e --backend cpu --streams 2 --seconds 20
 * --out-dir D}, on this machine without a GPU. A Kafka broker, the real-time producer and the job
 * run in JVMs of their own; the run's record says every frame came back once with the known boxes,
 * at the input's rate, and the table, the plots and the logs are there; no child process is left.
 */
class BenchE2eITCase {

    @Test
    void twoStreamsOnTheCpuBackendEndToEnd(@TempDir Path dir) throws Exception {
        long cpuBefore = machineCpuTicks();
        long started = System.nanoTime();
        int code = Vxflow.commandLine().execute("bench", "e2e", "--backend", "cpu", "--streams", "2", "--seconds", "20", "--out-dir", dir.toString());
        double elapsed = (System.nanoTime() - started) / 1e9;
        long cpuAfter = machineCpuTicks();
        assertThat(code).isZero();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive)).as("child processes left").isEmpty();

        List<String> lines = Files.readAllLines(dir.resolve("e2e.jsonl"), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        JsonNode run = new ObjectMapper().readTree(lines.get(0));
        for (String field : List.of("streams", "input_fps", "results_per_s", "latency_ms", "catch_up_s", "mean_batch", "job_cpu_cores", "gpu_util",
                "nvdec_util", "gpu_mem_mib_per_stream", "dropped", "lost", "duplicates", "warmup", "machine", "command", "date", "slots")) {
            assertThat(run.has(field)).as("field %s in %s", field, lines.get(0)).isTrue();
        }
        assertThat(run.path("command").asText()).isEqualTo("vxflow bench e2e --backend cpu --streams 2 --seconds 20 --out-dir " + dir);
        assertThat(run.path("mode").asText()).isEqualTo("e2e");
        assertThat(run.path("backend").asText()).isEqualTo("cpu");
        assertThat(run.path("streams").asInt()).isEqualTo(2);
        assertThat(run.path("seconds").asInt()).isEqualTo(20);

        // every published frame came back exactly once, in order, with the scene's boxes
        assertThat(run.path("drained").asBoolean()).as("drained: %s", lines.get(0)).isTrue();
        assertThat(run.path("lost").isNumber()).isTrue();
        assertThat(run.path("lost").asLong()).isZero();
        assertThat(run.path("duplicates").asLong()).isZero();
        assertThat(run.path("out_of_order").asLong()).isZero();
        assertThat(run.path("dropped").asLong()).isZero();
        assertThat(run.path("results").asLong()).isEqualTo(run.path("published").asLong()).isGreaterThan(2 * 30 * 20);
        assertThat(run.path("boxes_checked").asLong()).isEqualTo(run.path("results").asLong());
        assertThat(run.path("boxes_wrong").asLong()).isZero();

        // 2 streams of 30 fps in; results at that pace, unless the job was using all the CPU it could get: the CPU backend
        // costs some 30-50 ms of CPU per 1080p frame, so 60 fps is about what two cores can do (no stall is excused)
        double input = run.path("input_fps").asDouble();
        assertThat(input).isBetween(57.0, 63.0);
        double results = run.path("results_per_s").asDouble();
        double othersCores = run.path("producer_cpu_cores").asDouble() + run.path("broker_cpu_cores").asDouble() + run.path("bench_cpu_cores").asDouble();
        double jobCores = run.path("job_cpu_cores").asDouble();
        // on a shared machine (CI's neighbours, a build beside it) processes outside the benchmark take cores too:
        // the machine's own busy time over the run, less the benchmark's processes, is theirs
        double machineBusy = (cpuAfter - cpuBefore) / 100.0 / elapsed;
        double outside = Math.max(0, machineBusy - jobCores - othersCores);
        double available = Runtime.getRuntime().availableProcessors() - othersCores - outside;
        assertThat(results >= 0.9 * input || jobCores >= 0.8 * available)
                .as("results %.1f/s for %.1f fps in, with the job on %.2f of the %.2f cores the other processes left (%.2f busy outside the benchmark)",
                        results, input, jobCores, available, outside)
                .isTrue();
        double inWindow = 0;
        JsonNode t = run.path("latency_timeline");
        for (int i = 0; i < t.path("t_s").size(); i++) {
            double s = t.path("t_s").get(i).asDouble();
            if (s >= t.path("window_s").get(0).asDouble() && s < t.path("window_s").get(1).asDouble()) {
                inWindow += t.path("results").get(i).asDouble();
            }
        }
        assertThat(results).as("results/s is the window's results over its length").isCloseTo(inWindow / 20, org.assertj.core.data.Offset.offset(0.1));
        JsonNode latency = run.path("latency_ms");
        // a latency for every result of the window (the window holds results/s x 20 s of them). How many that is depends on
        // the machine: the pace check above judges it against the cores the job had (on 2026-12-02 a loaded 2-core CI host
        // gave 28 results/s for 60 in, with the job on every core it could get), so no second, load-blind floor here
        assertThat(inWindow).as("results in the window").isPositive();
        assertThat((double) latency.path("count").asLong()).as("latencies in the window").isCloseTo(inWindow, org.assertj.core.data.Offset.offset(input));
        assertThat(latency.path("p50").asLong()).isPositive().isLessThanOrEqualTo(latency.path("p95").asLong());
        assertThat(latency.path("p95").asLong()).isLessThanOrEqualTo(latency.path("p99").asLong());
        assertThat(latency.path("p99").asLong()).isLessThanOrEqualTo(latency.path("max").asLong());
        assertThat(run.path("mean_batch").asDouble()).isGreaterThanOrEqualTo(1.0);
        assertThat(run.path("job_cpu_cores").asDouble()).isPositive();
        assertThat(run.path("warmup").path("s").asDouble()).as("warm-up, before the window").isGreaterThanOrEqualTo(10.0);
        assertThat(run.path("warmup").path("job_ready_s").asDouble()).isPositive();
        assertThat(run.path("warmup").path("settled_hold_s").asInt()).isEqualTo(10);
        assertThat(run.path("warmup").has("settled_s")).isTrue();
        // where the latency went: the analysed results of the window, every stage the CPU chain has, and the rest
        JsonNode breakdown = run.path("latency_breakdown");
        assertThat(breakdown.path("all").path("results").asLong()).as("breakdown: %s", breakdown)
                .isEqualTo(run.path("latency_ms").path("count").asLong());
        assertThat(breakdown.path("all").path("stages_ms").path("decode").asDouble()).isPositive();
        assertThat(breakdown.path("all").path("stages_ms").path("infer").asDouble()).isPositive();
        double stages = 0;
        for (JsonNode v : breakdown.path("all").path("stages_ms")) {
            stages += v.asDouble();
        }
        assertThat(stages + breakdown.path("all").path("outside_stages_ms").asDouble()).as("stages and the rest add up to the mean latency")
                .isCloseTo(breakdown.path("all").path("latency_ms").asDouble(), org.assertj.core.data.Offset.offset(0.1));
        // each child JVM logged its collector's pauses; the job's in the window are summed (it allocates every frame)
        for (String process : List.of("job", "broker", "producer")) {
            assertThat(run.path("gc_pauses").path(process).has("pauses")).as("gc_pauses.%s in %s", process, run.path("gc_pauses")).isTrue();
        }
        assertThat(run.path("gc_pauses").path("job").path("pauses").asLong()).isPositive();
        assertThat(run.path("gc_pauses").path("job").path("longest_ms").asDouble())
                .isLessThanOrEqualTo(run.path("gc_pauses").path("job").path("total_ms").asDouble()).isPositive();
        assertThat(run.path("machine").path("cpus").asInt()).isEqualTo(Runtime.getRuntime().availableProcessors());
        JsonNode timeline = run.path("latency_timeline");
        assertThat(timeline.path("t_s").size()).isGreaterThan(30).isEqualTo(timeline.path("p99").size());

        // no GPU here: nothing sampled, and the comparisons say why they were not run
        if (!GpuProbe.available()) {
            assertThat(run.path("gpu_util").isNull()).isTrue();
            assertThat(run.path("gpu_mem_mib_per_stream").isNull()).isTrue();
            assertThat(run.path("compare").path("nvdec").path("skipped").asText()).startsWith("no NVIDIA GPU");
            assertThat(run.path("compare").path("conventional").path("skipped").asText()).startsWith("no NVIDIA GPU");
        }
        assertThat(run.path("compare").path("cpu").path("skipped").asText()).isEqualTo("the main run is the CPU backend");

        assertThat(Files.readString(dir.resolve("e2e.md"))).contains("| e2e | squares-640 | cpu/cpu | 2 |");
        String runPlot = "e2e-" + run.path("invocation").asText() + "-e2e-2-latency.svg";
        for (String svg : List.of(runPlot, "e2e-latency-vs-streams.svg", "e2e-throughput-vs-streams.svg")) {
            DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve(svg).toFile()); // exists, well-formed
        }
        try (Stream<Path> logs = Files.list(dir.resolve("logs"))) {
            assertThat(logs.map(p -> p.getFileName().toString())).contains("e2e-2-broker.log", "e2e-2-producer.log", "e2e-2-job.log",
                    "e2e-2-producer.json");
        }
    }

    /** The machine's busy CPU time so far, in clock ticks (USER_HZ, 100 a second on Linux), from /proc/stat; 0 elsewhere. */
    private static long machineCpuTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle and iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }
}
