package io.vxflow.it;

import io.vxflow.codec.AccessUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Cameras that come and go: one stream joins every second and sends {@value #FPS} access units a
 * second for a life of 0.6 to 1.4 times the wanted concurrency in seconds (6 to 14 s: about ten at
 * once, by default), then goes silent, possibly mid-GOP. One join in four is a camera that left 2 to
 * 20 seconds before coming back under its old id (before and after its decoder is evicted), with
 * later pts. A fraction of the units that are not keyframes can be damaged (cut to half their
 * length): the GOP of such a unit may lose pictures, every other GOP may not. Remembers what every
 * stream sent, so that the results can be checked exactly.
 */
final class ChurnProducer {
    static final int FPS = 10;
    private static final long FRAME_MICROS = 1_000_000L / FPS;
    private final List<List<AccessUnit>> clips;
    private final WireProducer wire;
    private final Random rnd;
    private final List<Live> live = new ArrayList<>();
    private final Map<String, Departed> departed = new LinkedHashMap<>();
    /** Every stream's expected result pts, in order, over all of its lives. */
    private final Map<String, List<Long>> expected = new LinkedHashMap<>();
    /** Pts of the pictures in GOPs with a damaged unit: these may be missing from the results (none else may). */
    private final Map<String, java.util.Set<Long>> mayBeLost = new LinkedHashMap<>();
    private final Map<String, Long> nextPtsBase = new LinkedHashMap<>();
    private final int lifeMin;
    private final int lifeSpan;
    private final double damaged;
    private long damagedUnits;
    private int created;
    private long joins;
    private long returns;
    private long units;

    private record Departed(int clip, long leftAtTick) {}

    private static final class Live {
        final String id;
        final int clip;
        final int frames;
        final long base;
        int next;
        /** Pts of the current GOP's pictures so far (decode order), and whether one of its units was damaged. */
        final List<Long> gop = new ArrayList<>();
        boolean gopDamaged;

        Live(String id, int clip, int frames, long base) {
            this.id = id;
            this.clip = clip;
            this.frames = frames;
            this.base = base;
        }
    }

    /** About ten cameras at once, nothing damaged. */
    ChurnProducer(List<List<AccessUnit>> clips, WireProducer wire, long seed) {
        this(clips, wire, seed, 10, 0);
    }

    /** About {@code concurrent} cameras at once; {@code damaged}: the fraction of non-key units cut short. */
    ChurnProducer(List<List<AccessUnit>> clips, WireProducer wire, long seed, int concurrent, double damaged) {
        this.clips = clips;
        this.wire = wire;
        this.rnd = new Random(seed);
        this.lifeMin = Math.max(1, (int) Math.round(0.6 * concurrent));
        this.lifeSpan = (int) Math.round(0.8 * concurrent) + 1;
        this.damaged = damaged;
    }

    /** Frames the clips need for the longest life at this concurrency. */
    static int clipFrames(int concurrent) {
        return FPS * (Math.max(1, (int) Math.round(0.6 * concurrent)) + (int) Math.round(0.8 * concurrent));
    }

    /** One tenth of a second: a join every {@value #FPS} ticks, one unit from every live stream. */
    void tick(long tick) {
        if (tick % FPS == 0) {
            join(tick);
        }
        for (Iterator<Live> it = live.iterator(); it.hasNext(); ) {
            Live s = it.next();
            AccessUnit u = clips.get(s.clip).get(s.next++);
            long pts = s.base + u.ptsMicros() * FRAME_MICROS;
            if (u.keyframe()) {
                closeGop(s);
            }
            byte[] data = u.data();
            if (damaged > 0 && !u.keyframe() && rnd.nextDouble() < damaged) {
                data = java.util.Arrays.copyOf(data, Math.max(5, data.length / 2));
                s.gopDamaged = true;
                damagedUnits++;
            }
            s.gop.add(pts);
            wire.send(s.id, new AccessUnit(u.codec(), pts, u.keyframe(), data));
            units++;
            if (s.next == s.frames) {
                closeGop(s);
                it.remove();
                departed.put(s.id, new Departed(s.clip, tick));
            }
        }
    }

    private void join(long tick) {
        String id = null;
        int clip = rnd.nextInt(clips.size());
        if (rnd.nextInt(4) == 0) {
            for (Map.Entry<String, Departed> d : departed.entrySet()) {
                long away = tick - d.getValue().leftAtTick();
                if (away >= 2 * FPS && away <= 20 * FPS) {
                    id = d.getKey();
                    clip = d.getValue().clip();
                    returns++;
                    break;
                }
            }
        }
        if (id == null) {
            id = "churn-" + created++;
        } else {
            departed.remove(id);
        }
        departed.entrySet().removeIf(d -> tick - d.getValue().leftAtTick() > 20 * FPS);
        int frames = Math.min(clips.get(clip).size(), FPS * (lifeMin + rnd.nextInt(lifeSpan)));
        long base = nextPtsBase.getOrDefault(id, 0L);
        List<Long> pts = new ArrayList<>();
        long last = base;
        for (int i = 0; i < frames; i++) {
            long p = base + clips.get(clip).get(i).ptsMicros() * FRAME_MICROS;
            pts.add(p);
            last = Math.max(last, p);
        }
        pts.sort(null);
        expected.computeIfAbsent(id, k -> new ArrayList<>()).addAll(pts);
        nextPtsBase.put(id, last + 1_000_000);
        live.add(new Live(id, clip, frames, base));
        joins++;
    }

    private void closeGop(Live s) {
        if (s.gopDamaged) {
            mayBeLost.computeIfAbsent(s.id, k -> new java.util.HashSet<>()).addAll(s.gop);
        }
        s.gop.clear();
        s.gopDamaged = false;
    }

    /** The end of the run: every live stream goes silent where it is (what it sent is what is expected). */
    void stop() {
        for (Live s : live) {
            closeGop(s);
            List<Long> pts = expected.get(s.id);
            List<AccessUnit> clip = clips.get(s.clip);
            for (int i = s.next; i < s.frames; i++) {
                pts.remove(Long.valueOf(s.base + clip.get(i).ptsMicros() * FRAME_MICROS));
            }
        }
        live.clear();
    }

    Map<String, List<Long>> expected() {
        return expected;
    }

    /** A stream's pictures that may be missing: those of GOPs with a damaged unit. */
    java.util.Set<Long> mayBeLost(String id) {
        return mayBeLost.getOrDefault(id, java.util.Set.of());
    }

    long damagedUnits() {
        return damagedUnits;
    }

    long expectedResults() {
        return expected.values().stream().mapToLong(List::size).sum();
    }

    int liveStreams() {
        return live.size();
    }

    long joins() {
        return joins;
    }

    long returns() {
        return returns;
    }

    long distinctStreams() {
        return created;
    }

    long units() {
        return units;
    }
}
