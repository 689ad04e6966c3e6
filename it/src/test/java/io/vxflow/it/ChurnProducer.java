package io.vxflow.it;

import io.vxflow.gpu.decode.AccessUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Cameras that come and go: one stream joins every second and sends {@value #FPS} access units a
 * second for a life of 6 to 14 seconds (about ten at once), then goes silent, possibly mid-GOP. One
 * join in four is a camera that left 2 to 20 seconds before coming back under its old id (before
 * and after its decoder is evicted), with later pts. Remembers what every stream sent, so that the
 * results can be checked exactly.
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
    private final Map<String, Long> nextPtsBase = new LinkedHashMap<>();
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

        Live(String id, int clip, int frames, long base) {
            this.id = id;
            this.clip = clip;
            this.frames = frames;
            this.base = base;
        }
    }

    ChurnProducer(List<List<AccessUnit>> clips, WireProducer wire, long seed) {
        this.clips = clips;
        this.wire = wire;
        this.rnd = new Random(seed);
    }

    /** One tenth of a second: a join every {@value #FPS} ticks, one unit from every live stream. */
    void tick(long tick) {
        if (tick % FPS == 0) {
            join(tick);
        }
        for (Iterator<Live> it = live.iterator(); it.hasNext(); ) {
            Live s = it.next();
            AccessUnit u = clips.get(s.clip).get(s.next++);
            wire.send(s.id, new AccessUnit(u.codec(), s.base + u.ptsMicros() * FRAME_MICROS, u.keyframe(), u.data()));
            units++;
            if (s.next == s.frames) {
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
        int frames = Math.min(clips.get(clip).size(), FPS * (6 + rnd.nextInt(9)));
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

    /** The end of the run: every live stream goes silent where it is (what it sent is what is expected). */
    void stop() {
        for (Live s : live) {
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
