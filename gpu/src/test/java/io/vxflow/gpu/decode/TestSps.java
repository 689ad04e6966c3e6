package io.vxflow.gpu.decode;

import io.vxflow.codec.Codec;
import java.io.ByteArrayOutputStream;

/**
 * Writes sequence parameter sets bit by bit, for tests of what reads them: H.264 and HEVC SPS NAL
 * units with chosen sizes, cropping and the syntax that comes before the size, emulation prevention
 * bytes inserted; and access units with their SPS replaced (a producer that lies about the size).
 */
public final class TestSps {
    private TestSps() {}

    /** An RBSP written MSB first; {@link #nal} adds the header, the stop bit and emulation prevention. */
    public static final class Bits {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int used;

        public Bits u(int n, long value) {
            for (int i = n - 1; i >= 0; i--) {
                bit((int) (value >>> i) & 1);
            }
            return this;
        }

        public Bits flag(boolean b) {
            return bit(b ? 1 : 0);
        }

        public Bits ue(long value) {
            long v = value + 1;
            int len = 63 - Long.numberOfLeadingZeros(v);
            u(len, 0);
            return u(len + 1, v);
        }

        public Bits se(long value) {
            return ue(value > 0 ? 2 * value - 1 : -2 * value);
        }

        /** Exp-Golomb prefix of {@code zeros} zero bits and no end: a code longer than any field. */
        public Bits zeros(int zeros) {
            return u(zeros, 0);
        }

        private Bits bit(int b) {
            current = (current << 1) | b;
            if (++used == 8) {
                out.write(current);
                current = 0;
                used = 0;
            }
            return this;
        }

        /** The bytes so far with the rbsp stop bit and alignment. */
        byte[] rbsp() {
            Bits copy = new Bits();
            byte[] done = out.toByteArray();
            for (byte b : done) {
                copy.u(8, b & 0xFF);
            }
            copy.u(used, current);
            copy.bit(1);
            while (copy.used != 0) {
                copy.bit(0);
            }
            return copy.out.toByteArray();
        }

        /** The NAL unit: {@code header} bytes, then the escaped RBSP. */
        public byte[] nal(byte... header) {
            ByteArrayOutputStream n = new ByteArrayOutputStream();
            n.writeBytes(header);
            n.writeBytes(escape(rbsp()));
            return n.toByteArray();
        }
    }

    /** Inserts emulation prevention bytes: {@code 00 00} followed by {@code 00..03} gets a {@code 03} between. */
    public static byte[] escape(byte[] rbsp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int zeros = 0;
        for (byte b : rbsp) {
            if (zeros >= 2 && (b & 0xFF) <= 3) {
                out.write(3);
                zeros = 0;
            }
            out.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }
        return out.toByteArray();
    }

    /** An H.264 SPS's fields, the ones that decide how it is read and what size it declares. */
    public record H264(int profile, int chroma, boolean separatePlanes, boolean scalingLists, int pocType, long widthMbsMinus1,
            long heightMapUnitsMinus1, boolean frameMbsOnly, long[] crop) {
        /** Progressive 4:2:0 High profile, POC type 0, cropped to {@code width}x{@code height}. */
        public static H264 of(int width, int height) {
            long mbsW = (width + 15) / 16, mbsH = (height + 15) / 16;
            long[] crop = mbsW * 16 == width && mbsH * 16 == height ? null : new long[] {0, (mbsW * 16 - width) / 2, 0, (mbsH * 16 - height) / 2};
            return new H264(100, 1, false, false, 0, mbsW - 1, mbsH - 1, true, crop);
        }

        public H264 withProfile(int p, int c, boolean separate, boolean scaling) {
            return new H264(p, c, separate, scaling, pocType, widthMbsMinus1, heightMapUnitsMinus1, frameMbsOnly, crop);
        }

        public H264 withPocType(int type) {
            return new H264(profile, chroma, separatePlanes, scalingLists, type, widthMbsMinus1, heightMapUnitsMinus1, frameMbsOnly, crop);
        }

        public H264 interlaced(long heightMapUnitsMinus1, long[] crop) {
            return new H264(profile, chroma, separatePlanes, scalingLists, pocType, widthMbsMinus1, heightMapUnitsMinus1, false, crop);
        }

        public H264 sized(long widthMbsMinus1, long heightMapUnitsMinus1, long[] crop) {
            return new H264(profile, chroma, separatePlanes, scalingLists, pocType, widthMbsMinus1, heightMapUnitsMinus1, frameMbsOnly, crop);
        }

        /** The SPS NAL unit (header 0x67, no start code). */
        public byte[] nal() {
            return bits().nal((byte) 0x67);
        }

        /** The RBSP fields without the stop bit, for tests that cut it short. */
        public Bits bits() {
            Bits b = new Bits().u(8, profile).u(8, 0).u(8, 51).ue(0);
            if (profile == 100 || profile == 110 || profile == 122 || profile == 244) {
                b.ue(chroma);
                if (chroma == 3) {
                    b.flag(separatePlanes);
                }
                b.ue(0).ue(0).flag(false).flag(scalingLists);
                if (scalingLists) {
                    for (int i = 0; i < (chroma != 3 ? 8 : 12); i++) {
                        b.flag(true);
                        int size = i < 6 ? 16 : 64;
                        for (int j = 0; j < size; j++) {
                            b.se(j % 2 == 0 ? 5 : -3); // never reaches nextScale 0: every delta is read
                        }
                    }
                }
            }
            b.ue(0).ue(pocType); // log2_max_frame_num_minus4
            if (pocType == 0) {
                b.ue(2);
            } else if (pocType == 1) {
                b.flag(false).se(-2).se(1).ue(3).se(2).se(-1).se(4);
            }
            b.ue(4).flag(false).ue(widthMbsMinus1).ue(heightMapUnitsMinus1).flag(frameMbsOnly);
            if (!frameMbsOnly) {
                b.flag(true);
            }
            b.flag(true).flag(crop != null);
            if (crop != null) {
                for (long c : crop) {
                    b.ue(c);
                }
            }
            return b.flag(false); // vui_parameters_present_flag
        }
    }

    /**
     * An HEVC SPS NAL unit (header 0x42 0x01, layer 0) of {@code width}x{@code height} luma samples,
     * {@code subLayersMinus1} temporal sub-layers (each with profile and level present), cropped by
     * {@code conformance} (left, right, top, bottom, in chroma units) or not at all when null.
     */
    public static byte[] hevc(int subLayersMinus1, int chroma, long width, long height, long[] conformance) {
        Bits b = new Bits().u(4, 0).u(3, subLayersMinus1).flag(true);
        b.u(2, 0).flag(false).u(5, 1).u(32, 0x60000000L).u(4, 0b1001).u(43, 0).u(1, 0).u(8, 93); // Main, level 3.1
        for (int i = 0; i < subLayersMinus1; i++) {
            b.flag(true).flag(true);
        }
        if (subLayersMinus1 > 0) {
            for (int i = subLayersMinus1; i < 8; i++) {
                b.u(2, 0);
            }
        }
        for (int i = 0; i < subLayersMinus1; i++) {
            b.u(2, 0).flag(false).u(5, 1).u(32, 0x60000000L).u(4, 0b1001).u(43, 0).u(1, 0).u(8, 90);
        }
        b.ue(0).ue(chroma);
        if (chroma == 3) {
            b.flag(false);
        }
        b.ue(width).ue(height).flag(conformance != null);
        if (conformance != null) {
            for (long c : conformance) {
                b.ue(c);
            }
        }
        b.ue(0).ue(0).ue(4); // bit depths, log2_max_pic_order_cnt_lsb_minus4: the rest is not read
        return b.nal((byte) 0x42, (byte) 0x01);
    }

    /** {@code accessUnit} with its first SPS replaced by {@code spsNal} (given without a start code). */
    public static byte[] withSps(Codec codec, byte[] accessUnit, byte[] spsNal) {
        int spsType = codec == Codec.H264 ? 7 : 33;
        for (int i = 0; i + 3 < accessUnit.length; i++) {
            if (accessUnit[i] == 0 && accessUnit[i + 1] == 0 && accessUnit[i + 2] == 1) {
                int type = codec == Codec.H264 ? accessUnit[i + 3] & 0x1F : (accessUnit[i + 3] >> 1) & 0x3F;
                if (type != spsType) {
                    continue;
                }
                int end = i + 3;
                while (end + 2 < accessUnit.length && !(accessUnit[end] == 0 && accessUnit[end + 1] == 0
                        && (accessUnit[end + 2] == 1 || accessUnit[end + 2] == 0))) {
                    end++;
                }
                if (end + 2 >= accessUnit.length) {
                    end = accessUnit.length;
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                out.write(accessUnit, 0, i + 3);
                out.writeBytes(spsNal);
                out.write(accessUnit, end, accessUnit.length - end);
                return out.toByteArray();
            }
        }
        throw new IllegalArgumentException("the access unit has no SPS");
    }

    /** {@code accessUnit} without its NAL units of the given types (e.g. 7 and 8: an H.264 keyframe without SPS and PPS). */
    public static byte[] without(Codec codec, byte[] accessUnit, int... types) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = nextStartCode(accessUnit, 0);
        if (start > 0) {
            out.write(accessUnit, 0, start);
        }
        while (start >= 0) {
            int payload = accessUnit[start + 2] == 1 ? start + 3 : start + 4;
            int next = payload < accessUnit.length ? nextStartCode(accessUnit, payload) : -1;
            int end = next < 0 ? accessUnit.length : next;
            int type = payload >= accessUnit.length ? -1
                    : codec == Codec.H264 ? accessUnit[payload] & 0x1F : (accessUnit[payload] >> 1) & 0x3F;
            boolean drop = false;
            for (int t : types) {
                drop |= t == type;
            }
            if (!drop) {
                out.write(accessUnit, start, end - start);
            }
            start = next;
        }
        return out.toByteArray();
    }

    /** Offset of the next 3- or 4-byte start code at or after {@code from}, or -1. */
    private static int nextStartCode(byte[] data, int from) {
        for (int i = from; i + 2 < data.length; i++) {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1) {
                return i > from && data[i - 1] == 0 ? i - 1 : i;
            }
        }
        return -1;
    }

    /** {@code nal} behind a 4-byte start code, followed by {@code rest}. */
    public static byte[] annexB(byte[] nal, byte... rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 0, 1});
        out.writeBytes(nal);
        out.writeBytes(rest);
        return out.toByteArray();
    }
}
