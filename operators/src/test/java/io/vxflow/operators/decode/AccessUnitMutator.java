package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Damages real access units the way broken cameras, lossy links and hostile producers do, one
 * {@link Kind} at a time, from a seeded {@link Random}: the same seed damages the same units the same
 * way. The result is what a producer would write to the frames topic: a value and the three wire
 * headers (codec, pts, key), any of which may lie.
 */
final class AccessUnitMutator {
    enum Kind {
        /** No damage. */
        NONE,
        /** 1 to 16 bits flipped, half of the time among the first bytes of a NAL unit (headers, parameter sets). */
        BIT_FLIP,
        /** Cut short, sometimes to a few bytes. */
        TRUNCATE,
        /** A NAL unit of another clip (other codec, size or position) inserted, or put in place of one of this unit's. */
        SPLICE,
        /** The SPS claims another picture size: tiny, off by a macroblock, HD, 4K, over the limits, absurd. */
        LYING_SPS,
        /** The key header says the opposite of the truth. */
        LYING_KEY,
        /** The codec header names the other codec, an unknown one, or nothing. */
        LYING_CODEC,
        /** The pts header repeats an earlier pts, jumps, goes negative, is not a number, or is missing. */
        LYING_PTS,
        /** Random bytes, sometimes behind a start code and a plausible NAL header. */
        GARBAGE,
        /** The stream's previous unit again, bytes and pts. */
        REPEAT
    }

    /** What goes on the wire; {@code ptsHeader} and the others are null when left out. */
    record Wire(Kind kind, byte[] value, String codecHeader, String ptsHeader, String keyHeader) {}

    private static final int HUGE_ONE_IN = 200;
    private static final Kind[] DAMAGE = Arrays.copyOfRange(Kind.values(), 1, Kind.values().length);
    private final List<FuzzCorpus.Clip> clips;

    AccessUnitMutator(List<FuzzCorpus.Clip> clips) {
        this.clips = clips;
    }

    /** The unit as a clean producer writes it. */
    static Wire clean(AccessUnit u) {
        return new Wire(Kind.NONE, u.data(), u.codec().wireName(), Long.toString(u.ptsMicros()), u.keyframe() ? "1" : "0");
    }

    /**
     * One damaged version of {@code u}, whose clean pts on the wire is {@code u.ptsMicros()};
     * {@code previous} is what the stream sent before (for repeats and repeated pts), or null.
     */
    Wire mutate(Random rnd, AccessUnit u, Wire previous) {
        Kind kind = DAMAGE[rnd.nextInt(DAMAGE.length)];
        if (kind == Kind.REPEAT && previous == null) {
            kind = Kind.BIT_FLIP;
        }
        Wire w = clean(u);
        switch (kind) {
            case BIT_FLIP:
                return new Wire(kind, flipBits(rnd, u.data()), w.codecHeader(), w.ptsHeader(), w.keyHeader());
            case TRUNCATE:
                return new Wire(kind, truncate(rnd, u.data()), w.codecHeader(), w.ptsHeader(), w.keyHeader());
            case SPLICE:
                return new Wire(kind, splice(rnd, u), w.codecHeader(), w.ptsHeader(), w.keyHeader());
            case LYING_SPS:
                return new Wire(kind, lyingSps(rnd, u), w.codecHeader(), w.ptsHeader(), w.keyHeader());
            case LYING_KEY:
                return new Wire(kind, u.data(), w.codecHeader(), w.ptsHeader(), u.keyframe() ? "0" : "1");
            case LYING_CODEC:
                return new Wire(kind, u.data(), lyingCodec(rnd, u.codec()), w.ptsHeader(), w.keyHeader());
            case LYING_PTS:
                return new Wire(kind, u.data(), w.codecHeader(), lyingPts(rnd, u.ptsMicros(), previous), w.keyHeader());
            case GARBAGE:
                return new Wire(kind, garbage(rnd, u.codec()), w.codecHeader(), w.ptsHeader(), w.keyHeader());
            case REPEAT:
                return new Wire(kind, previous.value(), previous.codecHeader(), previous.ptsHeader(), previous.keyHeader());
            default:
                throw new IllegalStateException(kind.name());
        }
    }

    private static byte[] flipBits(Random rnd, byte[] data) {
        byte[] d = data.clone();
        int flips = 1 + Math.min(15, (int) (-Math.log(1 - rnd.nextDouble()) * 3));
        for (int i = 0; i < flips; i++) {
            int at;
            if (rnd.nextBoolean()) {
                at = rnd.nextInt(d.length);
            } else {
                // near the start of a NAL unit: its header, a slice header or a parameter set
                int start = nalStart(d, rnd);
                at = Math.min(d.length - 1, start + rnd.nextInt(24));
            }
            d[at] ^= (byte) (1 << rnd.nextInt(8));
        }
        return d;
    }

    /** The offset just after a random start code of {@code d} (0 if none). */
    private static int nalStart(byte[] d, Random rnd) {
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i + 2 < d.length; i++) {
            if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) {
                starts.add(i + 3);
            }
        }
        return starts.isEmpty() ? 0 : starts.get(rnd.nextInt(starts.size()));
    }

    private static byte[] truncate(Random rnd, byte[] data) {
        int n = rnd.nextInt(5) == 0 ? rnd.nextInt(Math.min(16, data.length)) : rnd.nextInt(data.length);
        return Arrays.copyOf(data, n);
    }

    private byte[] splice(Random rnd, AccessUnit u) {
        FuzzCorpus.Clip donorClip = clips.get(rnd.nextInt(clips.size()));
        AccessUnit donor = donorClip.units().get(rnd.nextInt(donorClip.units().size()));
        List<byte[]> theirs = AnnexB.split(donor.data());
        List<byte[]> ours = new ArrayList<>(AnnexB.split(u.data()));
        if (theirs.isEmpty() || ours.isEmpty()) {
            return u.data();
        }
        byte[] nal = theirs.get(rnd.nextInt(theirs.size()));
        int op = rnd.nextInt(10);
        if (op < 4) {
            ours.set(rnd.nextInt(ours.size()), nal);
        } else if (op < 8) {
            ours.add(rnd.nextInt(ours.size() + 1), nal);
        } else {
            // another stream's parameter sets (or picture) in front: a different size, profile or codec mid-stream
            ours.addAll(0, theirs.subList(0, Math.min(theirs.size(), 1 + rnd.nextInt(3))));
        }
        return AnnexB.join(ours);
    }

    private byte[] lyingSps(Random rnd, AccessUnit u) {
        List<byte[]> nals = new ArrayList<>(AnnexB.split(u.data()));
        int spsType = u.codec() == Codec.H264 ? AnnexB.H264_SPS : AnnexB.HEVC_SPS;
        int at = -1;
        for (int i = 0; i < nals.size(); i++) {
            if (AnnexB.type(u.codec(), nals.get(i)) == spsType) {
                at = i;
                break;
            }
        }
        byte[] sps;
        if (at >= 0) {
            sps = nals.get(at);
        } else {
            sps = spsOf(u.codec());
            at = 0;
            nals.add(0, sps); // a lying SPS in front of a picture that had none
        }
        long[] size = lyingSize(rnd, u.codec());
        byte[] lie = LyingSps.rewrite(u.codec(), sps, size[0], size[1]);
        if (lie == null) {
            return flipBits(rnd, u.data());
        }
        nals.set(at, lie);
        return AnnexB.join(nals);
    }

    /** The SPS of the first clip of {@code codec}, to put in front of units that carry none. */
    private byte[] spsOf(Codec codec) {
        int spsType = codec == Codec.H264 ? AnnexB.H264_SPS : AnnexB.HEVC_SPS;
        for (FuzzCorpus.Clip c : clips) {
            if (c.codec() == codec) {
                for (byte[] nal : AnnexB.split(c.units().get(0).data())) {
                    if (AnnexB.type(codec, nal) == spsType) {
                        return nal;
                    }
                }
            }
        }
        throw new IllegalStateException("no " + codec + " clip with an SPS");
    }

    /**
     * A lie about the size, as the SPS fields hold it: H.264 in macroblocks minus one, HEVC in
     * samples. Mostly sizes near the truth or up to 4096x2304 (vxflow's largest frame by default);
     * one pick in {@value #HUGE_ONE_IN} is 8192x4320, which FFmpeg decodes (for seconds, into a 50 MB
     * picture) unless something refuses it first; the absurd values FFmpeg refuses itself.
     */
    private static long[] lyingSize(Random rnd, Codec codec) {
        int[][] pixels = {{16, 16}, {304, 240}, {336, 240}, {320, 256}, {240, 320}, {1920, 1080}, {3840, 2160}, {4096, 2304}, {16, 4320},
            {4320, 16}};
        int w, h;
        if (rnd.nextInt(HUGE_ONE_IN) == 0) {
            w = 8192;
            h = 4320;
        } else {
            int pick = rnd.nextInt(pixels.length + 2);
            if (pick >= pixels.length) {
                long[] absurd = {0, 1L << 16, (1L << 31) - 2};
                return new long[] {absurd[rnd.nextInt(3)], absurd[rnd.nextInt(3)]};
            }
            w = pixels[pick][0];
            h = pixels[pick][1];
        }
        return codec == Codec.H264 ? new long[] {(w + 15) / 16 - 1, (h + 15) / 16 - 1} : new long[] {w, h};
    }

    private static String lyingCodec(Random rnd, Codec truth) {
        String[] names = {truth == Codec.H264 ? "hevc" : "h264", truth == Codec.H264 ? "h265" : "avc", "vp9", "", "H264 ", null};
        return names[rnd.nextInt(names.length)];
    }

    private static String lyingPts(Random rnd, long pts, Wire previous) {
        switch (rnd.nextInt(8)) {
            case 0:
                return previous != null ? previous.ptsHeader() : Long.toString(pts);
            case 1:
                return Long.toString(pts + 1_000_000_000_000L);
            case 2:
                return Long.toString(-pts - 1);
            case 3:
                return Long.toString(pts - 10 * FuzzCorpus.FRAME_MICROS);
            case 4:
                return pts + "a";
            case 5:
                return "99999999999999999999";
            case 6:
                return Long.toString(Long.MAX_VALUE - rnd.nextInt(1000));
            default:
                return null;
        }
    }

    private static byte[] garbage(Random rnd, Codec codec) {
        byte[] g = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 64 : 8192)];
        rnd.nextBytes(g);
        if (rnd.nextBoolean() && g.length > 6) {
            g[0] = 0;
            g[1] = 0;
            g[2] = 0;
            g[3] = 1;
            int[] types = codec == Codec.H264 ? new int[] {0x65, 0x41, 0x67, 0x68, 0x06} : new int[] {0x26, 0x02, 0x42, 0x44, 0x40};
            g[4] = (byte) types[rnd.nextInt(types.length)];
            if (codec == Codec.HEVC) {
                g[5] = 1;
            }
        }
        return g;
    }

    static String describe(Wire w) {
        return w.kind() + " (" + w.value().length + " bytes, codec " + quoted(w.codecHeader()) + ", pts " + quoted(w.ptsHeader()) + ", key "
                + quoted(w.keyHeader()) + ")";
    }

    private static String quoted(String s) {
        return s == null ? "none" : "'" + new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8) + "'";
    }
}
