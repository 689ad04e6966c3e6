package io.vxflow.connectors.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.Codec;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** InBandParameterSets and NalUnits on hand-made H.264 access units (NAL header bytes only matter). */
class InBandParameterSetsTest {
    private static final byte[] SPS = nal(0x67, 1, 2, 3);
    private static final byte[] PPS = nal(0x68, 4);
    private static final byte[] SEI = nal(0x06, 5, 5);
    private static final byte[] AUD = nal(0x09, 0xF0);
    private static final byte[] IDR = nal(0x65, 9, 9, 9, 9);
    private static final byte[] P = nal(0x41, 7, 7);

    @Test
    void keyframeThatStartsWithItsParameterSetsIsReturnedAsItIs() {
        InBandParameterSets sets = new InBandParameterSets(Codec.H264, null);
        byte[] key = concat(AUD, SPS, PPS, SEI, IDR);
        assertThat(apply(sets, key, true)).isSameAs(key);
    }

    @Test
    void parameterSetsAfterAnSeiMoveToTheFront() {
        InBandParameterSets sets = new InBandParameterSets(Codec.H264, null);
        assertThat(apply(sets, concat(SEI, SPS, PPS, IDR), true)).isEqualTo(concat(SPS, PPS, SEI, IDR));
    }

    @Test
    void keyframeWithoutParameterSetsGetsTheLatestSeenAfterItsDelimiter() {
        InBandParameterSets sets = new InBandParameterSets(Codec.H264, null);
        apply(sets, concat(SPS, PPS, IDR), true);
        byte[] p = concat(AUD, P);
        assertThat(apply(sets, p, false)).as("non-keyframes are never touched").isSameAs(p);
        assertThat(apply(sets, concat(AUD, SEI, IDR), true)).isEqualTo(concat(AUD, SPS, PPS, SEI, IDR));
    }

    @Test
    void extradataSeedsTheParameterSets() {
        InBandParameterSets sets = new InBandParameterSets(Codec.H264, concat(SPS, PPS));
        assertThat(sets.complete()).isTrue();
        assertThat(apply(sets, IDR, true)).isEqualTo(concat(SPS, PPS, IDR));
    }

    @Test
    void aMissingPpsAloneIsAdded() {
        InBandParameterSets sets = new InBandParameterSets(Codec.H264, concat(SPS, PPS));
        byte[] newSps = nal(0x67, 1, 2, 4);
        assertThat(apply(sets, concat(newSps, IDR), true)).isEqualTo(concat(newSps, PPS, IDR));
    }

    @Test
    void headStopsAtTheFirstSliceAndKeepsFourByteStartCodesWhole() {
        byte[] au = concat(AUD, SPS, IDR, P);
        var head = NalUnits.head(au, Codec.H264);
        assertThat(head).extracting(NalUnits.Span::type).containsExactly(9, 7, 5);
        assertThat(head.get(0).from()).isZero();
        assertThat(head.get(1).from()).isEqualTo(AUD.length);
        assertThat(head.get(2).to()).as("the slice and everything after it").isEqualTo(au.length);
        assertThat(NalUnits.firstSliceType(head, Codec.H264)).isEqualTo(5);
    }

    @Test
    void threeByteStartCodesAndHevcTypes() {
        byte[] vps = {0, 0, 1, 0x40, 1}, sps = {0, 0, 1, 0x42, 1}, pps = {0, 0, 1, 0x44, 1}, idr = {0, 0, 1, 0x28, 1, 2};
        byte[] au = concat(vps, sps, pps, idr);
        assertThat(NalUnits.head(au, Codec.HEVC)).extracting(NalUnits.Span::type).containsExactly(32, 33, 34, 20);
        assertThat(NalUnits.isInstantaneousRefresh(Codec.HEVC, 20)).isTrue();
        InBandParameterSets sets = new InBandParameterSets(Codec.HEVC, null);
        assertThat(apply(sets, Codec.HEVC, au, true)).isSameAs(au);
    }

    private static byte[] apply(InBandParameterSets sets, byte[] data, boolean key) {
        return apply(sets, Codec.H264, data, key);
    }

    private static byte[] apply(InBandParameterSets sets, Codec codec, byte[] data, boolean key) {
        return sets.apply(data, key, NalUnits.head(data, codec));
    }

    private static byte[] nal(int... bytes) {
        byte[] out = new byte[4 + bytes.length];
        out[3] = 1;
        for (int i = 0; i < bytes.length; i++) {
            out[4 + i] = (byte) bytes[i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
