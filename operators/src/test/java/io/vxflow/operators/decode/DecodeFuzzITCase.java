package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link DecodeFuzz} in a JVM of its own, so that a native crash in FFmpeg is this test's
 * failure (with the seed and the unit it died on) and not the end of the build: at least 20,000
 * damaged H.264 and HEVC access units through the real decode operator beside clean streams.
 * Passes when the fuzzer exited 0 and its result says: the clean streams' frames were identical to
 * a clean run, every damaged unit was decoded or counted (or lost with a counted failure of its GOP),
 * no frame appeared that belongs to no unit, and no unit took longer than the bound.
 *
 * <p>System properties: {@code vxflow.fuzz.seed} (default {@value #DEFAULT_SEED}), {@code
 * vxflow.fuzz.units} (damaged units, default 20,000; 1,000,000 for the long run in
 * docs/reliability-fuzz-churn.md), {@code vxflow.fuzz.max-unit-millis} (default {@value #DEFAULT_BOUND_MILLIS}).
 * Output under {@code operators/target/fuzz/}: the fuzzer's log and its result.
 */
class DecodeFuzzITCase {
    private static final long DEFAULT_SEED = 20261201L;
    private static final long DEFAULT_BOUND_MILLIS = 15_000;

    @Test
    void damagedAccessUnitsNeitherCrashNorLeakIntoCleanStreamsAndAreAllAccountedFor() throws Exception {
        long seed = Long.getLong("vxflow.fuzz.seed", DEFAULT_SEED);
        long units = Long.getLong("vxflow.fuzz.units", 20_000L);
        long bound = Long.getLong("vxflow.fuzz.max-unit-millis", DEFAULT_BOUND_MILLIS);
        Path dir = Path.of("target", "fuzz").toAbsolutePath();
        Files.createDirectories(dir);
        Path log = dir.resolve("decode-fuzz-" + seed + ".log");
        Path result = dir.resolve("decode-fuzz-" + seed + ".properties");
        Path marker = dir.resolve("decode-fuzz-" + seed + ".marker");
        Files.deleteIfExists(result);
        String rerun = "mvn -B -pl operators -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=DecodeFuzzITCase"
                + " -Dvxflow.fuzz.seed=" + seed + " -Dvxflow.fuzz.units=" + units;

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx768m",
                "-XX:+UseParallelGC", "-XX:ErrorFile=" + dir.resolve("hs_err_decode-fuzz-%p.log"),
                "-Dorg.bytedeco.javacpp.platform.extension=" + System.getProperty("org.bytedeco.javacpp.platform.extension", "-gpl"),
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), DecodeFuzz.class.getName(),
                "--seed", Long.toString(seed), "--units", Long.toString(units), "--max-unit-millis", Long.toString(bound),
                "--result", result.toString(), "--marker", marker.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // the fuzzer's watchdog ends a hung round after two minutes; this is the backstop
        long minutes = 15 + units / 20_000 * 4;
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the fuzzer ran past " + minutes + " min, at " + read(marker) + "; seed " + seed + "\n" + tail(log)
                    + "\nre-run: " + rerun);
        }
        int exit = p.exitValue();
        String context = "seed " + seed + ", exit " + exit + (exit > 128 ? " (killed by signal " + (exit - 128) + ": a native crash?)" : "")
                + ", last unit: " + read(marker) + "\nre-run: " + rerun + "\n" + tail(log);
        assertThat(Files.exists(result)).as("the fuzzer wrote its result; %s", context).isTrue();
        Properties r = new Properties();
        try (InputStream in = Files.newInputStream(result)) {
            r.load(in);
        }
        assertThat(r.getProperty("hang")).as("a round hung; %s", context).isNull();
        assertThat(exit).as("%s", context).isZero();
        assertThat(n(r, "units.damaged")).as("damaged units fed").isGreaterThanOrEqualTo(units);
        assertThat(r.getProperty("clean.identical")).as("clean streams identical to a clean run: %s", r.getProperty("clean.mismatch"))
                .isEqualTo("true");
        assertThat(n(r, "clean.frames")).as("clean frames compared").isPositive();
        long outcomes = 0;
        for (FuzzLedger.Outcome o : FuzzLedger.Outcome.values()) {
            outcomes += n(r, "outcome.damaged." + o.name()) + n(r, "outcome.untouched." + o.name());
        }
        assertThat(outcomes).as("every unit of the damaged streams has an outcome").isEqualTo(n(r, "units.damagedStreams"));
        // known gap (docs/reliability-fuzz-churn.md): a unit FFmpeg takes without error and without a picture (no slice left in it, or a
        // picture its H.264 decoder drops as out of order) is counted nowhere; this seed finds none
        assertThat(n(r, "outcome.damaged.UNACCOUNTED") + n(r, "outcome.untouched.UNACCOUNTED"))
                .as("units that disappeared without a frame or a count, e.g. %s", r.getProperty("unaccounted.sample.0")).isZero();
        assertThat(n(r, "extraFrames")).as("frames that belong to no unit, e.g. %s", r.getProperty("extraFrames.sample.0")).isZero();
        assertThat(n(r, "staleFrames")).as("pictures of units counted as bad input, e.g. %s", r.getProperty("staleFrames.sample.0")).isZero();
        assertThat(n(r, "outcome.damaged.DECODED_DAMAGED")).as("damaged units decoded into other pictures (the fuzzer reaches FFmpeg)")
                .isPositive();
        assertThat(Double.parseDouble(r.getProperty("time.maxMillis"))).as("slowest unit: %s", r.getProperty("time.worstUnit"))
                .isLessThanOrEqualTo(bound);
    }

    private static long n(Properties r, String key) {
        String v = r.getProperty(key);
        assertThat(v).as("result has %s", key).isNotNull();
        return Long.parseLong(v);
    }

    private static String read(Path marker) {
        try {
            return Files.exists(marker) ? new String(Files.readAllBytes(marker), StandardCharsets.UTF_8).replace("\0", "").trim() : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }
}
