package io.vxflow.operators.decode;

import io.vxflow.codec.Codec;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Annex-B byte streams taken apart and put back together, for the fuzzer: NAL units between start
 * codes, their types, and the RBSP inside them (emulation prevention bytes removed, and put back).
 */
final class AnnexB {
    static final int H264_SPS = 7;
    static final int HEVC_SPS = 33;

    private AnnexB() {}

    /** The NAL units of an access unit, without their start codes; bytes before the first start code are dropped. */
    static List<byte[]> split(byte[] au) {
        List<int[]> bounds = new ArrayList<>();
        int i = 0, start = -1;
        while (i + 2 < au.length) {
            if (au[i] == 0 && au[i + 1] == 0 && au[i + 2] == 1) {
                if (start >= 0) {
                    bounds.add(new int[] {start, trimZeros(au, start, i)});
                }
                start = i + 3;
                i += 3;
            } else {
                i++;
            }
        }
        if (start >= 0) {
            bounds.add(new int[] {start, au.length});
        }
        List<byte[]> out = new ArrayList<>();
        for (int[] b : bounds) {
            if (b[1] > b[0]) {
                out.add(Arrays.copyOfRange(au, b[0], b[1]));
            }
        }
        return out;
    }

    /** The zero bytes before a start code belong to it (a 4-byte start code, or trailing zeros). */
    private static int trimZeros(byte[] au, int from, int end) {
        while (end > from && au[end - 1] == 0) {
            end--;
        }
        return end;
    }

    /** NAL units joined with 4-byte start codes. */
    static byte[] join(List<byte[]> nals) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] n : nals) {
            out.writeBytes(new byte[] {0, 0, 0, 1});
            out.writeBytes(n);
        }
        return out.toByteArray();
    }

    static int type(Codec codec, byte[] nal) {
        return codec == Codec.H264 ? nal[0] & 0x1F : (nal[0] >> 1) & 0x3F;
    }

    static int headerBytes(Codec codec) {
        return codec == Codec.H264 ? 1 : 2;
    }

    /** The payload after the NAL header with emulation prevention bytes (00 00 03) removed. */
    static byte[] rbsp(byte[] nal, int headerBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(nal.length);
        int zeros = 0;
        for (int i = headerBytes; i < nal.length; i++) {
            int b = nal[i] & 0xFF;
            if (zeros >= 2 && b == 3) {
                zeros = 0;
                continue;
            }
            zeros = b == 0 ? zeros + 1 : 0;
            out.write(b);
        }
        return out.toByteArray();
    }

    /** A NAL unit from its header and RBSP, with emulation prevention bytes inserted where needed. */
    static byte[] nal(byte[] header, byte[] rbsp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + rbsp.length + 8);
        out.writeBytes(header);
        int zeros = 0;
        for (byte value : rbsp) {
            int b = value & 0xFF;
            if (zeros >= 2 && b <= 3) {
                out.write(3);
                zeros = 0;
            }
            zeros = b == 0 ? zeros + 1 : 0;
            out.write(b);
        }
        return out.toByteArray();
    }
}
