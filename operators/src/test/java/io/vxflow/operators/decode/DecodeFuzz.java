package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.DecodeError;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameRecordParser;
import io.vxflow.gpu.decode.FfmpegSoftwareDecoder;
import io.vxflow.gpu.decode.ParameterSetScan;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;

/**
 * The decode fuzzer, run in a JVM of its own ({@link DecodeFuzzITCase} starts it) so that a native
 * crash in FFmpeg fails a test instead of killing the build. Damaged access units of several streams
 * (see {@link AccessUnitMutator}), interleaved with clean streams, go through the real
 * {@link DecodeOperator} with real FFmpeg decoders, until {@code --units} damaged units were fed.
 * Each damaged unit is fed in a round of its own, beside a clean unit of another stream, and the
 * round is worked to its end before the next, so that what it caused is its own ({@link FuzzLedger});
 * the round's wall time is the unit's time. The clean streams are then played again, alone, through
 * a second operator: their frames must be the same, pts for pts and pixel for pixel.
 *
 * <pre>
 * java -cp TEST_CLASS_PATH -Dorg.bytedeco.javacpp.platform.extension=-gpl io.vxflow.operators.decode.DecodeFuzz \
 *     --seed S --units N [--result FILE] [--marker FILE] [--max-unit-millis MS] [--hang-seconds S] [--dump-round R --dump-dir DIR]
 *     [--trace FROM:TO[,FROM:TO...]] [--stop-round R]
 * </pre>
 *
 * Exits 0 when nothing was wrong, 1 when an invariant failed (the lines starting with FAILED say
 * which), 3 when a round hung; a native crash ends it with the JVM's own status. {@code --marker} is a
 * memory-mapped file holding the round in progress, readable after a crash. The same seed and units
 * replay the same run; {@code --dump-round R} writes the damaged stream's recent units (Annex-B, and
 * their wire headers) before round R is fed, to hand a crash to FFmpeg's developers. {@code --trace}
 * prints the rounds given in detail, and {@code --stop-round R} ends the run after round R with the
 * ledger's verdict on the rounds so far (a replay
 * of a failure must still start at round 0: every stream's decoder state depends on all its rounds
 * before, and the units drawn do not depend on {@code --units}, so a replay with a smaller number draws
 * the same rounds as long as it runs).
 */
public final class DecodeFuzz {
    private static final int CLIP_FRAMES = 48;
    private static final int DAMAGED_STREAMS = 6;
    private static final int CLEAN_STREAMS = 3;
    /** Rounds per clean unit. */
    private static final int CLEAN_EVERY = 3;

    private final long seed;
    private final long target;
    private final long maxUnitMillis;
    private final long dumpRound;
    private final Path dumpDir;
    private final Marker marker;
    /** Rounds to trace, as pairs of first and last round. */
    private final long[] trace;
    /** The last round to feed (-1: until {@code target} damaged units were fed); a replay stops there. */
    private final long stopRound;
    private final List<String> failures = new ArrayList<>();
    private final Properties result = new Properties();
    private volatile long lastProgress = System.nanoTime();
    private volatile String current = "start-up";

    private DecodeFuzz(Map<String, String> args) throws IOException {
        seed = Long.parseLong(args.getOrDefault("seed", "1"));
        target = Long.parseLong(args.getOrDefault("units", "20000"));
        maxUnitMillis = Long.parseLong(args.getOrDefault("max-unit-millis", "2000"));
        dumpRound = Long.parseLong(args.getOrDefault("dump-round", "-1"));
        dumpDir = Path.of(args.getOrDefault("dump-dir", "."));
        String[] ranges = args.getOrDefault("trace", "-1:-1").split(",");
        trace = new long[2 * ranges.length];
        for (int i = 0; i < ranges.length; i++) {
            String[] fromTo = ranges[i].split(":");
            trace[2 * i] = Long.parseLong(fromTo[0]);
            trace[2 * i + 1] = Long.parseLong(fromTo[1]);
        }
        stopRound = Long.parseLong(args.getOrDefault("stop-round", "-1"));
        marker = args.containsKey("marker") ? new Marker(Path.of(args.get("marker"))) : null;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                System.err.println("decode fuzz: expected --option value, got " + argv[i]);
                System.exit(2);
            }
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        DecodeFuzz fuzz = new DecodeFuzz(args);
        fuzz.startWatchdog(Long.parseLong(args.getOrDefault("hang-seconds", "120")), args.get("result"));
        fuzz.run();
        if (args.containsKey("result")) {
            fuzz.write(Path.of(args.get("result")));
        }
        System.exit(fuzz.failures.isEmpty() ? 0 : 1);
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "decode fuzz: seed %d, %d damaged access units; re-run with --seed %d --units %d%n", seed, target, seed,
                target);
        long t0 = System.nanoTime();
        List<FuzzCorpus.Clip> clips = FuzzCorpus.clips(CLIP_FRAMES);
        List<Map<Long, Long>> cleanPictures = new ArrayList<>();
        for (FuzzCorpus.Clip c : clips) {
            cleanPictures.add(cleanPictures(c));
        }
        System.out.printf(Locale.ROOT, "  corpus: %d clips of %d frames encoded and decoded in %.1f s%n", clips.size(), CLIP_FRAMES,
                (System.nanoTime() - t0) / 1e9);

        Random rnd = new Random(seed);
        AccessUnitMutator mutator = new AccessUnitMutator(clips);
        List<FuzzStream> damaged = new ArrayList<>();
        for (int i = 0; i < DAMAGED_STREAMS; i++) {
            damaged.add(new FuzzStream("fuzz-" + i, true, clips, i % clips.size()));
        }
        List<FuzzStream> clean = cleanStreams(clips);
        Map<String, List<FuzzOperator.Out>> cleanOut = new TreeMap<>();
        long[] cleanFed = new long[CLEAN_STREAMS];
        FuzzLedger ledger = new FuzzLedger();
        Map<String, RecentUnits> recent = new HashMap<>();
        long mutated = 0, fedDamaged = 0, rounds = 0, offset = 0;
        long[] roundNanos = new long[1024];
        long worstNanos = 0;
        String worst = "";
        Map<AccessUnitMutator.Kind, Long> nanosByKind = new java.util.EnumMap<>(AccessUnitMutator.Kind.class);
        long tFuzz = System.nanoTime();
        try (FuzzOperator op = new FuzzOperator(2)) {
            while (mutated < target) {
                FuzzStream d = damaged.get((int) (rounds % DAMAGED_STREAMS));
                FuzzStream.Unit u = d.next(rnd, mutator);
                recent.computeIfAbsent(d.id(), k -> new RecentUnits()).add(u);
                if (rounds == dumpRound) {
                    dump(recent.get(d.id()), rounds);
                }
                FuzzStream.Unit cu = null;
                if (rounds % CLEAN_EVERY == 0) {
                    int c = (int) ((rounds / CLEAN_EVERY) % CLEAN_STREAMS);
                    cu = clean.get(c).next(null, null);
                    cleanFed[c]++;
                }
                current = "round " + rounds + ": " + u.stream() + " " + AccessUnitMutator.describe(u.wire());
                if (marker != null) {
                    marker.write(current);
                }
                FrameRecord r = record(u, offset++);
                long start = System.nanoTime();
                if (cu != null && rnd.nextBoolean()) {
                    op.feed(record(cu, offset++));
                    cu = null;
                }
                op.feed(r);
                if (cu != null) {
                    op.feed(record(cu, offset++));
                }
                op.settle();
                long took = System.nanoTime() - start;
                lastProgress = System.nanoTime();
                long clipPts = clips.get(u.clip()).units().get(u.clipIndex()).ptsMicros();
                ledger.fed(fedDamaged, u, r.isValid() ? r.unit().ptsMicros() : null, cleanPictures.get(u.clip()).get(clipPts),
                        r.isValid() && ParameterSetScan.hasRandomAccessSlice(r.unit().codec(), r.unit().data()));
                List<FuzzOperator.Out> frames = op.takeFrames();
                collect(frames, ledger, cleanOut);
                long[] bad = op.takeBadInput();
                if (traced(rounds)) {
                    trace(current, u, r, frames, bad);
                }
                if (Arrays.stream(bad).anyMatch(n -> n > 0)) {
                    ledger.counted(u.stream(), bad);
                }
                if (fedDamaged == roundNanos.length) {
                    roundNanos = Arrays.copyOf(roundNanos, roundNanos.length * 2);
                }
                roundNanos[(int) fedDamaged] = took;
                nanosByKind.merge(u.wire().kind(), took, Long::sum);
                if (took > worstNanos) {
                    worstNanos = took;
                    worst = current;
                }
                fedDamaged++;
                if (u.damaged()) {
                    mutated++;
                }
                rounds++;
                if (rounds % 10_000 == 0) {
                    System.out.printf(Locale.ROOT, "  %,d rounds, %,d damaged units, %.0f s%n", rounds, mutated, (System.nanoTime() - tFuzz) / 1e9);
                }
                if (rounds - 1 == stopRound) {
                    break;
                }
            }
            current = "end of input";
            op.endInput();
            lastProgress = System.nanoTime();
            collect(op.takeFrames(), ledger, cleanOut);
            ledger.finish();
            if (rounds - 1 == stopRound) {
                // a replay of the rounds up to a failure: the ledger's verdict on them, no reference run, no result file
                System.out.printf(Locale.ROOT, "decode fuzz: stopped after round %d (--stop-round) in %.0f s: unaccounted %d + %d, stale frames %d,"
                        + " frames of no unit %d, no-picture units %d (unmatched counts %d)%n", stopRound, (System.nanoTime() - tFuzz) / 1e9,
                        ledger.count(true, FuzzLedger.Outcome.UNACCOUNTED), ledger.count(false, FuzzLedger.Outcome.UNACCOUNTED), ledger.staleFrames(),
                        ledger.extraFrames(), ledger.noPictureUnits(), ledger.noPictureUnmatched());
                ledger.unaccountedSamples().forEach(x -> System.out.println("  unaccounted: " + x));
                ledger.staleSamples().forEach(x -> System.out.println("  stale: " + x));
                ledger.extraSamples().forEach(x -> System.out.println("  extra: " + x));
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
            for (DecodeError e : DecodeError.values()) {
                result.setProperty("badInput." + e.metricName(), Long.toString(op.badInputTotal(e)));
            }
        }
        double fuzzSeconds = (System.nanoTime() - tFuzz) / 1e9;

        current = "reference run of the clean streams";
        Map<String, List<FuzzOperator.Out>> reference = referenceRun(cleanStreams(clips), cleanFed);
        lastProgress = System.nanoTime();
        compareClean(cleanOut, reference);

        long[] sorted = Arrays.copyOf(roundNanos, (int) fedDamaged);
        Arrays.sort(sorted);
        long over100 = Arrays.stream(sorted).filter(n -> n > 100_000_000L).count();
        put("seed", seed);
        put("units.target", target);
        put("units.damaged", mutated);
        put("units.damagedStreams", fedDamaged);
        put("units.clean", Arrays.stream(cleanFed).sum());
        put("rounds", rounds);
        result.setProperty("seconds.fuzz", String.format(Locale.ROOT, "%.1f", fuzzSeconds));
        result.setProperty("seconds.total", String.format(Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9));
        for (FuzzLedger.Outcome o : FuzzLedger.Outcome.values()) {
            put("outcome.damaged." + o.name(), ledger.count(true, o));
            put("outcome.untouched." + o.name(), ledger.count(false, o));
            for (AccessUnitMutator.Kind k : AccessUnitMutator.Kind.values()) {
                put("kind." + k.name() + "." + o.name(), ledger.count(k, o));
            }
        }
        ledger.countedByReason().forEach((e, n) -> put("counted." + e.metricName(), n));
        put("countedWithFrame", ledger.countedWithFrame());
        put("noPicture.units", ledger.noPictureUnits());
        put("noPicture.unmatched", ledger.noPictureUnmatched());
        put("reachedDecoder.damaged", ledger.reachedDecoder(true));
        put("reachedDecoder.untouched", ledger.reachedDecoder(false));
        put("extraFrames", ledger.extraFrames());
        put("staleFrames", ledger.staleFrames());
        for (int i = 0; i < ledger.staleSamples().size(); i++) {
            result.setProperty("staleFrames.sample." + i, ledger.staleSamples().get(i));
        }
        for (int i = 0; i < ledger.extraSamples().size(); i++) {
            result.setProperty("extraFrames.sample." + i, ledger.extraSamples().get(i));
        }
        for (int i = 0; i < ledger.unaccountedSamples().size(); i++) {
            result.setProperty("unaccounted.sample." + i, ledger.unaccountedSamples().get(i));
        }
        result.setProperty("time.p50Millis", millis(sorted[sorted.length / 2]));
        result.setProperty("time.p99Millis", millis(sorted[(int) (sorted.length * 0.99)]));
        result.setProperty("time.maxMillis", millis(worstNanos));
        result.setProperty("time.worstUnit", worst);
        put("time.over100ms", over100);
        nanosByKind.forEach((k, n) -> result.setProperty("time.sumMillis." + k.name(), millis(n)));
        put("time.boundMillis", maxUnitMillis);
        put("maxRssKb", vmHwmKb());

        long unaccounted = ledger.count(true, FuzzLedger.Outcome.UNACCOUNTED) + ledger.count(false, FuzzLedger.Outcome.UNACCOUNTED);
        if (unaccounted > 0) {
            failures.add(unaccounted + " access units disappeared without a frame or a count, e.g. " + ledger.unaccountedSamples().get(0));
        }
        if (worstNanos > maxUnitMillis * 1_000_000L) {
            failures.add("the slowest unit took " + millis(worstNanos) + " ms (bound " + maxUnitMillis + " ms): " + worst);
        }
        System.out.printf(Locale.ROOT, "decode fuzz: %,d damaged units (%,d of them reached the decoder; %,d units of damaged streams, %,d clean)"
                + " in %.0f s; slowest %s ms, p99 %s ms%n", mutated, ledger.reachedDecoder(true), fedDamaged, Arrays.stream(cleanFed).sum(),
                fuzzSeconds, millis(worstNanos), result.getProperty("time.p99Millis"));
        for (FuzzLedger.Outcome o : FuzzLedger.Outcome.values()) {
            System.out.printf(Locale.ROOT, "  %-16s damaged %,9d   untouched %,9d%n", o.name().toLowerCase(Locale.ROOT), ledger.count(true, o),
                    ledger.count(false, o));
        }
        System.out.println("  counted by reason: " + ledger.countedByReason() + "; frames of discarded units " + ledger.staleFrames()
                + "; frames of no unit " + ledger.extraFrames());
        failures.forEach(f -> System.out.println("FAILED: " + f));
        System.out.println(failures.isEmpty() ? "decode fuzz: OK, seed " + seed : "decode fuzz: FAILED, seed " + seed);
    }

    private static List<FuzzStream> cleanStreams(List<FuzzCorpus.Clip> clips) {
        List<FuzzStream> clean = new ArrayList<>();
        for (int i = 0; i < CLEAN_STREAMS; i++) {
            clean.add(new FuzzStream("clean-" + i, false, clips, i % clips.size()));
        }
        return clean;
    }

    private static void collect(List<FuzzOperator.Out> frames, FuzzLedger ledger, Map<String, List<FuzzOperator.Out>> cleanOut) {
        for (FuzzOperator.Out f : frames) {
            if (f.stream().startsWith("clean-")) {
                cleanOut.computeIfAbsent(f.stream(), k -> new ArrayList<>()).add(f);
            } else {
                ledger.frame(f.stream(), f.pts(), f.checksum());
            }
        }
    }

    private boolean traced(long round) {
        for (int i = 0; i < trace.length; i += 2) {
            if (round >= trace[i] && round <= trace[i + 1]) {
                return true;
            }
        }
        return false;
    }

    /** One round in detail (--trace FROM:TO[,FROM:TO...]): the unit, what its record became, the frames out, the bad input counted. */
    private static void trace(String round, FuzzStream.Unit u, FrameRecord r, List<FuzzOperator.Out> frames, long[] bad) {
        StringBuilder sb = new StringBuilder("TRACE ").append(round).append(" clip ").append(u.clip()).append(" #").append(u.clipIndex())
                .append(r.isValid() ? " -> " + r.unit().codec() + " pts " + r.unit().ptsMicros() + (r.unit().keyframe() ? " key" : "")
                        : " -> invalid " + r.error());
        for (DecodeError e : DecodeError.values()) {
            if (bad[e.ordinal()] > 0) {
                sb.append(" | ").append(e.metricName()).append(" x").append(bad[e.ordinal()]);
            }
        }
        for (FuzzOperator.Out f : frames) {
            sb.append(" | frame ").append(f.stream()).append(" pts ").append(f.pts()).append(' ').append(f.width()).append('x').append(f.height());
        }
        System.out.println(sb);
    }

    /**
     * The clean streams alone, through an operator of their own: what they must look like. A third of
     * the rounds' units again (over 600,000 in a run of 1,000,000 damaged units): progress is reported to
     * the watchdog per round here too, or a long run's reference run reads as a hang.
     */
    private Map<String, List<FuzzOperator.Out>> referenceRun(List<FuzzStream> clean, long[] units) throws Exception {
        Map<String, List<FuzzOperator.Out>> out = new TreeMap<>();
        long offset = 0;
        try (FuzzOperator op = new FuzzOperator(2)) {
            long max = Arrays.stream(units).max().orElse(0);
            for (long i = 0; i < max; i++) {
                for (int c = 0; c < clean.size(); c++) {
                    if (i < units[c]) {
                        op.feed(record(clean.get(c).next(null, null), offset++));
                    }
                }
                op.settle();
                collect(op.takeFrames(), null, out);
                lastProgress = System.nanoTime();
            }
            op.endInput();
            collect(op.takeFrames(), null, out);
        }
        return out;
    }

    private void compareClean(Map<String, List<FuzzOperator.Out>> fuzzed, Map<String, List<FuzzOperator.Out>> reference) {
        long frames = 0;
        String mismatch = null;
        for (String s : reference.keySet()) {
            List<FuzzOperator.Out> a = fuzzed.getOrDefault(s, List.of()), b = reference.get(s);
            frames += b.size();
            for (int i = 0; i < Math.max(a.size(), b.size()) && mismatch == null; i++) {
                FuzzOperator.Out x = i < a.size() ? a.get(i) : null, y = i < b.size() ? b.get(i) : null;
                if (x == null || y == null || x.pts() != y.pts() || x.frameIndex() != y.frameIndex() || x.checksum() != y.checksum()) {
                    mismatch = s + " frame " + i + ": fuzz run " + x + ", clean run " + y;
                }
            }
        }
        if (!fuzzed.keySet().equals(reference.keySet())) {
            mismatch = "streams " + fuzzed.keySet() + " vs " + reference.keySet();
        }
        put("clean.frames", frames);
        result.setProperty("clean.identical", Boolean.toString(mismatch == null && frames > 0));
        if (mismatch != null) {
            result.setProperty("clean.mismatch", mismatch);
            failures.add("a clean stream differs from its clean run: " + mismatch);
        } else if (frames == 0) {
            failures.add("the clean streams produced no frames");
        }
    }

    /** A unit as the frames source hands it over: parsed from a Kafka record with the unit's wire headers. */
    static FrameRecord record(FuzzStream.Unit u, long offset) {
        RecordHeaders h = new RecordHeaders();
        AccessUnitMutator.Wire w = u.wire();
        if (w.codecHeader() != null) {
            h.add("codec", w.codecHeader().getBytes(StandardCharsets.UTF_8));
        }
        if (w.ptsHeader() != null) {
            h.add("pts", w.ptsHeader().getBytes(StandardCharsets.UTF_8));
        }
        if (w.keyHeader() != null) {
            h.add("key", w.keyHeader().getBytes(StandardCharsets.UTF_8));
        }
        byte[] key = u.stream().getBytes(StandardCharsets.UTF_8);
        return FrameRecordParser.parse(new ConsumerRecord<>("frames", 0, offset, 1_700_000_000_000L + offset, TimestampType.CREATE_TIME, key.length,
                w.value().length, key, w.value(), h, Optional.empty()));
    }

    /** Decodes a clip on its own: pts to the checksum of its clean picture. */
    private static Map<Long, Long> cleanPictures(FuzzCorpus.Clip c) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (FfmpegSoftwareDecoder d = new FfmpegSoftwareDecoder(c.codec(), 1)) {
            for (AccessUnit u : c.units()) {
                d.decode(u, f -> {
                    out.put(f.ptsMicros(), FrameChecksum.of(f));
                    f.release();
                });
            }
            d.drain(f -> {
                out.put(f.ptsMicros(), FrameChecksum.of(f));
                f.release();
            });
        }
        if (out.size() != c.units().size()) {
            throw new IllegalStateException(c.name() + ": " + out.size() + " pictures from " + c.units().size() + " units");
        }
        return out;
    }

    private void dump(RecentUnits units, long round) throws IOException {
        Files.createDirectories(dumpDir);
        Path es = dumpDir.resolve("round-" + round + ".es"), txt = dumpDir.resolve("round-" + round + ".txt");
        try (OutputStream o = Files.newOutputStream(es)) {
            StringBuilder sb = new StringBuilder();
            for (FuzzStream.Unit u : units.items()) {
                o.write(u.wire().value());
                sb.append(u.stream()).append(" clip ").append(u.clip()).append(" #").append(u.clipIndex()).append(": ")
                        .append(AccessUnitMutator.describe(u.wire())).append('\n');
            }
            Files.writeString(txt, sb.toString());
        }
        System.out.println("  dumped the stream's last " + units.items().size() + " units before round " + round + " to " + es);
    }

    /** Ends a hung run: prints where every thread is, records it and halts (exit 3). */
    private void startWatchdog(long hangSeconds, String resultFile) {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
                if (System.nanoTime() - lastProgress > hangSeconds * 1_000_000_000L) {
                    System.out.println("HANG: no progress for " + hangSeconds + " s at " + current + "; seed " + seed);
                    Thread.getAllStackTraces().forEach((th, stack) -> {
                        System.out.println("thread " + th.getName());
                        for (StackTraceElement s : stack) {
                            System.out.println("    at " + s);
                        }
                    });
                    System.out.flush();
                    if (resultFile != null) {
                        result.setProperty("hang", current);
                        try {
                            write(Path.of(resultFile));
                        } catch (IOException e) {
                            // the exit status says it
                        }
                    }
                    Runtime.getRuntime().halt(3);
                }
            }
        }, "fuzz-watchdog");
        t.setDaemon(true);
        t.start();
    }

    private void write(Path file) throws IOException {
        result.setProperty("failures", String.join(" | ", failures));
        try (OutputStream o = Files.newOutputStream(file)) {
            result.store(o, "decode fuzz result");
        }
    }

    private void put(String key, long value) {
        result.setProperty(key, Long.toString(value));
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static long vmHwmKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux
        }
        return -1;
    }

    /** The last {@link FuzzLedger#WINDOW} units of a stream, for dumps. */
    private static final class RecentUnits {
        private final java.util.ArrayDeque<FuzzStream.Unit> units = new java.util.ArrayDeque<>();

        void add(FuzzStream.Unit u) {
            units.add(u);
            if (units.size() > FuzzLedger.WINDOW) {
                units.poll();
            }
        }

        List<FuzzStream.Unit> items() {
            return new ArrayList<>(units);
        }
    }

    /** The round in progress, in a memory-mapped file: what the page cache holds survives a crash of this JVM. */
    private static final class Marker {
        private final MappedByteBuffer buffer;

        Marker(Path file) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                buffer = ch.map(FileChannel.MapMode.READ_WRITE, 0, 512);
            }
        }

        void write(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(b.length, 511);
            buffer.put(0, b, 0, n);
            buffer.put(n, (byte) '\n');
            for (int i = n + 1; i < 512 && buffer.get(i) != 0; i++) {
                buffer.put(i, (byte) 0);
            }
        }
    }
}
