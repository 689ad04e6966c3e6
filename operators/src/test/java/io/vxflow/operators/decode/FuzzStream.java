package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One stream of a fuzz run: the clips' GOPs played one after another with pts that keep rising. A
 * clean stream plays one clip, untouched and without randomness, so that its reference run can play
 * it again. A damaged stream now and then switches clip at a GOP boundary (a new codec or size at a
 * keyframe, as a reconfigured camera does) and damages each GOP at a rate drawn for it: some GOPs
 * clean (the stream must recover), some lightly hit, some with every unit damaged. After a damaged
 * unit it goes on at the next keyframe one time in four, as a camera asked for one after a loss
 * does: the units after a failure would only wait for a keyframe, so more damaged units reach the
 * decoder.
 */
final class FuzzStream {
    /** One access unit as sent: what went on the wire, and the clip picture it was made from. */
    record Unit(String stream, AccessUnitMutator.Wire wire, int clip, int clipIndex, long cleanPts) {
        boolean damaged() {
            return wire.kind() != AccessUnitMutator.Kind.NONE;
        }
    }

    private static final double[] GOP_DAMAGE = {0, 0.2, 0.5, 0.8, 1.0, 1.0};
    private final String id;
    private final boolean damaged;
    private final List<FuzzCorpus.Clip> clips;
    private final List<List<Integer>> keyframes = new ArrayList<>();
    private int clip;
    private int gop = -1;
    private int pos;
    private int gopEnd;
    private long offset;
    private long nextPts;
    private double damage;
    private AccessUnitMutator.Wire previous;

    FuzzStream(String id, boolean damaged, List<FuzzCorpus.Clip> clips, int firstClip) {
        this.id = id;
        this.damaged = damaged;
        this.clips = clips;
        this.clip = firstClip;
        for (FuzzCorpus.Clip c : clips) {
            List<Integer> keys = new ArrayList<>();
            for (int i = 0; i < c.units().size(); i++) {
                if (c.units().get(i).keyframe()) {
                    keys.add(i);
                }
            }
            keyframes.add(keys);
        }
    }

    String id() {
        return id;
    }

    /** The stream's next unit; {@code rnd} and {@code mutator} are used by damaged streams only. */
    Unit next(Random rnd, AccessUnitMutator mutator) {
        if (pos == gopEnd) {
            nextGop(rnd, false);
        } else if (damaged && previous != null && previous.kind() != AccessUnitMutator.Kind.NONE && rnd.nextInt(4) == 0) {
            nextGop(rnd, true); // the camera resynchronises: the next GOP, damaged again
        }
        FuzzCorpus.Clip c = clips.get(clip);
        AccessUnit u = c.units().get(pos);
        AccessUnit shifted = new AccessUnit(u.codec(), u.ptsMicros() + offset, u.keyframe(), u.data());
        AccessUnitMutator.Wire wire = damaged && rnd.nextDouble() < damage ? mutator.mutate(rnd, shifted, previous) : AccessUnitMutator.clean(shifted);
        previous = wire;
        return new Unit(id, wire, clip, pos++, shifted.ptsMicros());
    }

    private void nextGop(Random rnd, boolean afterDamage) {
        if (damaged && gop >= 0 && rnd.nextInt(8) == 0) {
            clip = rnd.nextInt(clips.size());
            gop = -1;
        }
        List<Integer> keys = keyframes.get(clip);
        gop = (gop + 1) % keys.size();
        pos = keys.get(gop);
        gopEnd = gop + 1 < keys.size() ? keys.get(gop + 1) : clips.get(clip).units().size();
        long first = Long.MAX_VALUE;
        for (int i = pos; i < gopEnd; i++) {
            first = Math.min(first, clips.get(clip).units().get(i).ptsMicros());
        }
        offset = nextPts - first;
        nextPts += (gopEnd - pos) * FuzzCorpus.FRAME_MICROS;
        // a resynchronising stream is not given a clean GOP: those come after GOPs that ran to their end
        damage = damaged ? GOP_DAMAGE[afterDamage ? 1 + rnd.nextInt(GOP_DAMAGE.length - 1) : rnd.nextInt(GOP_DAMAGE.length)] : 0;
    }
}
