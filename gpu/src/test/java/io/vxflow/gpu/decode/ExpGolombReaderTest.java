package io.vxflow.gpu.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The bit reader under the SPS parser: Exp-Golomb codes, emulation prevention, and input that ends early. */
class ExpGolombReaderTest {
    private static ExpGolombReader reader(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return new ExpGolombReader(b, 0, b.length);
    }

    @Test
    void readsTheCodesOfTheStandardsTable() throws Exception {
        // 1 | 010 | 011 | 00100 | 00101 | 00110 | 00111 | 0001000 -> 0, 1, 2, 3, 4, 5, 6, 7
        ExpGolombReader r = reader(0b1010_0110, 0b0100_0010, 0b1001_1000, 0b1110_0010, 0b0000_0000);
        for (long want = 0; want <= 7; want++) {
            assertThat(r.ue()).isEqualTo(want);
        }
        // se: codes 0, 1, 2, 3, 4 mean 0, 1, -1, 2, -2
        ExpGolombReader s = reader(0b1010_0110, 0b0100_0010, 0b1000_0000);
        assertThat(new long[] {s.se(), s.se(), s.se(), s.se(), s.se()}).containsExactly(0, 1, -1, 2, -2);
    }

    @Test
    void everyValueAFieldCanHoldRoundTripsThroughTheWriter() throws Exception {
        long[] values = {0, 1, 2, 3, 254, 255, 256, 65_535, 1L << 20, (1L << 31) - 1, (1L << 32) - 2};
        TestSps.Bits w = new TestSps.Bits();
        for (long v : values) {
            w.ue(v).se(v % 1000).se(-(v % 1000)).u(13, v & 0x1FFF);
        }
        byte[] rbsp = w.rbsp();
        ExpGolombReader r = new ExpGolombReader(rbsp, 0, rbsp.length);
        for (long v : values) {
            assertThat(r.ue()).isEqualTo(v);
            assertThat(r.se()).isEqualTo(v % 1000);
            assertThat(r.se()).isEqualTo(-(v % 1000));
            assertThat(r.bits(13)).isEqualTo(v & 0x1FFF);
        }
    }

    @Test
    void aCodeLongerThan32BitsIsMalformedNotAnOverflow() throws Exception {
        byte[] rbsp = new TestSps.Bits().zeros(32).u(8, 0xFF).rbsp();
        assertThatThrownBy(() -> new ExpGolombReader(rbsp, 0, rbsp.length).ue()).isInstanceOf(MalformedParameterSetException.class)
                .hasMessageContaining("longer than 32 bits");
        byte[] longest = new TestSps.Bits().zeros(31).u(32, 0xFFFF_FFFFL).rbsp();
        assertThat(new ExpGolombReader(longest, 0, longest.length).ue()).isEqualTo((1L << 32) - 2);
    }

    @Test
    void emulationPreventionBytesAreDroppedOnlyAfterTwoZeros() throws Exception {
        // 00 00 03 01 is 00 00 01; 00 00 03 03 is 00 00 03; a 03 after one zero stays
        ExpGolombReader r = reader(0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x03, 0x00, 0x03, 0x07);
        assertThat(r.bits(24)).isEqualTo(0x000001);
        assertThat(r.bits(24)).isEqualTo(0x000003);
        assertThat(r.bits(24)).isEqualTo(0x000307);
        // after a dropped 03 the zero count starts again: 00 00 03 00 00 03 01 is 00 00 00 00 01
        ExpGolombReader again = reader(0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x01);
        assertThat(again.bits(32)).isZero();
        assertThat(again.bits(8)).isEqualTo(1);
    }

    @Test
    void randomPayloadsReadBackExactlyAfterEscaping() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            byte[] rbsp = new byte[1 + random.nextInt(64)];
            for (int i = 0; i < rbsp.length; i++) {
                rbsp[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(4) : random.nextInt(256)); // many 00..03
            }
            byte[] escaped = TestSps.escape(rbsp);
            ExpGolombReader r = new ExpGolombReader(escaped, 0, escaped.length);
            for (byte b : rbsp) {
                assertThat((byte) r.bits(8)).isEqualTo(b);
            }
            assertThatThrownBy(r::bit).isInstanceOf(MalformedParameterSetException.class);
        }
    }

    @Test
    void readingPastTheEndIsMalformedAndTheRangeIsRespected() throws Exception {
        ExpGolombReader r = new ExpGolombReader(new byte[] {(byte) 0xFF, (byte) 0x80, (byte) 0xFF}, 1, 2);
        assertThat(r.ue()).isZero(); // 0x80: the code "1", then seven zero bits
        assertThatThrownBy(r::ue).isInstanceOf(MalformedParameterSetException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> reader(0x00, 0x00, 0x03).bits(24)).isInstanceOf(MalformedParameterSetException.class);
    }
}
