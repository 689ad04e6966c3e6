package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Rewrites the picture size an H.264 or HEVC sequence parameter set claims, leaving every other
 * field as it was: what a producer that lies about its sizes (or a bit flip in just those fields)
 * sends. The size fields are Exp-Golomb codes in the middle of the SPS, so the rest of its bits
 * shift; they are copied bit for bit after the new values.
 */
public final class LyingSps {
    private LyingSps() {}

    /**
     * {@code keyframe} with its H.264 SPS claiming {@code widthMbs} x {@code heightMbs} macroblocks
     * (its cropping kept): a keyframe of another size for tests that only read parameter sets.
     */
    public static AccessUnit resized(AccessUnit keyframe, int widthMbs, int heightMbs) {
        java.util.List<byte[]> nals = new java.util.ArrayList<>(AnnexB.split(keyframe.data()));
        for (int i = 0; i < nals.size(); i++) {
            if (AnnexB.type(keyframe.codec(), nals.get(i)) == AnnexB.H264_SPS) {
                nals.set(i, java.util.Objects.requireNonNull(rewrite(keyframe.codec(), nals.get(i), widthMbs - 1, heightMbs - 1)));
            }
        }
        return new AccessUnit(keyframe.codec(), keyframe.ptsMicros(), true, AnnexB.join(nals));
    }

    /**
     * The SPS NAL unit with the size replaced. For H.264 the values are in macroblocks minus one
     * ({@code pic_width_in_mbs_minus1}, {@code pic_height_in_map_units_minus1}); for HEVC in luma
     * samples. Null when the SPS uses syntax this rewriter does not follow (H.264 scaling matrices).
     */
    static byte[] rewrite(Codec codec, byte[] nal, long widthField, long heightField) {
        int header = AnnexB.headerBytes(codec);
        Bits in = new Bits(AnnexB.rbsp(nal, header));
        BitWriter out = new BitWriter();
        try {
            if (codec == Codec.H264) {
                if (!copyH264UpToSize(in, out)) {
                    return null;
                }
            } else {
                copyHevcUpToSize(in, out);
            }
            in.ue();
            in.ue();
            out.ue(widthField);
            out.ue(heightField);
            long stop = in.lastOneBit(); // rbsp_stop_one_bit: after it only the alignment, which the writer redoes
            while (in.position() <= stop) {
                out.bit(in.bit());
            }
        } catch (IndexOutOfBoundsException e) {
            return null; // a damaged SPS: nothing to rewrite
        }
        return AnnexB.nal(Arrays.copyOf(nal, header), out.bytes());
    }

    private static boolean copyH264UpToSize(Bits in, BitWriter out) {
        int profile = in.copy(out, 8);
        in.copy(out, 16); // constraint flags, level
        out.ue(in.ue()); // seq_parameter_set_id
        if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44 || profile == 83 || profile == 86
                || profile == 118 || profile == 128 || profile == 138 || profile == 139 || profile == 134 || profile == 135) {
            long chroma = in.ue();
            out.ue(chroma);
            if (chroma == 3) {
                in.copy(out, 1);
            }
            out.ue(in.ue()); // bit depths
            out.ue(in.ue());
            in.copy(out, 1); // qpprime_y_zero_transform_bypass_flag
            if (in.copy(out, 1) != 0) {
                return false; // scaling matrices: not followed
            }
        }
        out.ue(in.ue()); // log2_max_frame_num_minus4
        long pocType = in.ue();
        out.ue(pocType);
        if (pocType == 0) {
            out.ue(in.ue());
        } else if (pocType == 1) {
            in.copy(out, 1);
            out.ue(in.ue()); // se values travel as their ue code
            out.ue(in.ue());
            long n = in.ue();
            out.ue(n);
            for (long i = 0; i < n; i++) {
                out.ue(in.ue());
            }
        }
        out.ue(in.ue()); // max_num_ref_frames
        in.copy(out, 1); // gaps_in_frame_num_value_allowed_flag
        return true;
    }

    private static void copyHevcUpToSize(Bits in, BitWriter out) {
        in.copy(out, 4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = in.copy(out, 3);
        in.copy(out, 1);
        // profile_tier_level(1, maxSubLayersMinus1)
        in.copy(out, 88);
        in.copy(out, 8); // general_level_idc
        boolean[] profilePresent = new boolean[8], levelPresent = new boolean[8];
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            profilePresent[i] = in.copy(out, 1) != 0;
            levelPresent[i] = in.copy(out, 1) != 0;
        }
        if (maxSubLayersMinus1 > 0) {
            for (int i = maxSubLayersMinus1; i < 8; i++) {
                in.copy(out, 2);
            }
        }
        for (int i = 0; i < maxSubLayersMinus1; i++) {
            if (profilePresent[i]) {
                in.copy(out, 88);
            }
            if (levelPresent[i]) {
                in.copy(out, 8);
            }
        }
        out.ue(in.ue()); // sps_seq_parameter_set_id
        long chroma = in.ue();
        out.ue(chroma);
        if (chroma == 3) {
            in.copy(out, 1);
        }
    }

    /** Reads bits, most significant first. */
    private static final class Bits {
        private final byte[] data;
        private long pos;

        Bits(byte[] data) {
            this.data = data;
        }

        int bit() {
            int b = (data[(int) (pos >> 3)] >> (7 - (pos & 7))) & 1;
            pos++;
            return b;
        }

        long position() {
            return pos;
        }

        long lastOneBit() {
            for (int i = data.length - 1; i >= 0; i--) {
                if (data[i] != 0) {
                    return 8L * i + 7 - Integer.numberOfTrailingZeros(data[i] & 0xFF);
                }
            }
            return -1;
        }

        /** Reads n bits (n <= 32), writes them to out and returns them. */
        int copy(BitWriter out, int n) {
            int v = 0;
            for (int i = 0; i < n; i++) {
                int b = bit();
                out.bit(b);
                v = (v << 1) | b;
            }
            return v;
        }

        long ue() {
            int zeros = 0;
            while (bit() == 0) {
                zeros++;
                if (zeros > 32) {
                    throw new IndexOutOfBoundsException("Exp-Golomb code longer than 32 bits");
                }
            }
            long v = 0;
            for (int i = 0; i < zeros; i++) {
                v = (v << 1) | bit();
            }
            return (1L << zeros) - 1 + v;
        }
    }

    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int count;

        void bit(int b) {
            current = (current << 1) | (b & 1);
            if (++count == 8) {
                out.write(current);
                current = 0;
                count = 0;
            }
        }

        void ue(long v) {
            long x = v + 1;
            int bits = 64 - Long.numberOfLeadingZeros(x);
            for (int i = 0; i < bits - 1; i++) {
                bit(0);
            }
            for (int i = bits - 1; i >= 0; i--) {
                bit((int) (x >> i) & 1);
            }
        }

        /** The bits written, zero-padded to a byte boundary. */
        byte[] bytes() {
            if (count > 0) {
                out.write(current << (8 - count));
                current = 0;
                count = 0;
            }
            return out.toByteArray();
        }
    }
}
