package io.vxflow.gpu.decode;

/**
 * Reads the raw byte sequence payload (RBSP) of one NAL unit bit by bit, as H.264 and HEVC syntax
 * tables describe it: fixed-width fields {@code u(n)} and Exp-Golomb codes {@code ue(v)} and {@code
 * se(v)}. Emulation prevention bytes (the {@code 03} of {@code 00 00 03}) are dropped as the bytes
 * are read, so a caller reads the NAL unit's bytes in place without unescaping a copy first.
 *
 * <p>Every read past the end, and every Exp-Golomb code longer than 32 bits (a value no syntax
 * element can hold), throws {@link MalformedParameterSetException}: input from producers is never
 * trusted. Owns nothing; reads the caller's array.
 */
final class ExpGolombReader {
    private final byte[] data;
    private final int end;
    private int next;
    /** Zero bytes just read in a row, to recognise an emulation prevention byte. */
    private int zeros;
    private int current;
    private int bitsLeft;

    /** Reads {@code data[from, to)}: the payload after the NAL unit header. */
    ExpGolombReader(byte[] data, int from, int to) {
        if (from < 0 || to > data.length || from > to) {
            throw new IndexOutOfBoundsException("[" + from + ", " + to + ") of " + data.length + " bytes");
        }
        this.data = data;
        this.next = from;
        this.end = to;
    }

    /** One bit, {@code u(1)}. */
    int bit() throws MalformedParameterSetException {
        if (bitsLeft == 0) {
            current = nextByte();
            bitsLeft = 8;
        }
        bitsLeft--;
        return (current >> bitsLeft) & 1;
    }

    boolean flag() throws MalformedParameterSetException {
        return bit() == 1;
    }

    /** {@code u(n)} for n up to 32, as an unsigned value. */
    long bits(int n) throws MalformedParameterSetException {
        if (n < 0 || n > 32) {
            throw new IllegalArgumentException("u(" + n + ")");
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = (v << 1) | bit();
        }
        return v;
    }

    /** Skips {@code n} bits. */
    void skip(int n) throws MalformedParameterSetException {
        for (int i = 0; i < n; i++) {
            bit();
        }
    }

    /** {@code ue(v)}: 0 .. 2^32 - 2. */
    long ue() throws MalformedParameterSetException {
        int leadingZeros = 0;
        while (bit() == 0) {
            if (++leadingZeros > 31) {
                throw new MalformedParameterSetException("an Exp-Golomb code longer than 32 bits");
            }
        }
        return (1L << leadingZeros) - 1 + bits(leadingZeros);
    }

    /** {@code ue(v)} that must be at most {@code max}; {@code what} names it in the error. */
    int ue(String what, long max) throws MalformedParameterSetException {
        long v = ue();
        if (v > max) {
            throw new MalformedParameterSetException(what + " " + v + " is out of range (at most " + max + ")");
        }
        return (int) v;
    }

    /** {@code se(v)}: -(2^31 - 1) .. 2^31 - 1. */
    long se() throws MalformedParameterSetException {
        long k = ue();
        return (k & 1) == 1 ? (k + 1) / 2 : -(k / 2);
    }

    private int nextByte() throws MalformedParameterSetException {
        if (next >= end) {
            throw new MalformedParameterSetException("it ends early (truncated)");
        }
        int b = data[next++] & 0xFF;
        if (zeros >= 2 && b == 3) {
            // emulation prevention: 00 00 03 stands for 00 00 in the payload
            zeros = 0;
            if (next >= end) {
                throw new MalformedParameterSetException("it ends early (truncated)");
            }
            b = data[next++] & 0xFF;
        }
        zeros = b == 0 ? zeros + 1 : 0;
        return b;
    }
}
