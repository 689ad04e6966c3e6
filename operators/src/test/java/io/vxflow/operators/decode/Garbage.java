package io.vxflow.operators.decode;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.decode.RampTestStream;
import io.vxflow.gpu.decode.TestSps;
import java.util.Random;

/**
 * Access units of made-up streams, what a broken or hostile producer writes, each of a kind whose
 * fate is known: every one must be counted as bad input exactly once, and none may produce a frame.
 */
final class Garbage {
    /** What a garbage unit is, and the reason it must be counted under. */
    enum Kind {
        /** Random bytes, not marked as a keyframe: waiting-for-keyframe. */
        RANDOM,
        /** Random bytes with start codes and slice headers, not a keyframe: waiting-for-keyframe. */
        RANDOM_NAL_UNITS,
        /** Random bytes marked as a keyframe: bad-parameter-sets (no SPS). */
        RANDOM_KEYFRAME,
        /** A keyframe whose SPS is cut short: bad-parameter-sets. */
        TRUNCATED_SPS,
        /** A keyframe whose SPS claims a huge picture: frame-too-large, before any decoder. */
        LYING_SPS,
        /** A keyframe with the real SPS and PPS and a damaged slice: a decoder opens, fails, and is closed (corrupt-access-unit). */
        BROKEN_SLICE
    }

    private final AccessUnit keyframe;
    private final int sliceStart;

    /** @param keyframe a real H.264 keyframe (SPS, PPS, IDR slice) whose parameter sets broken slices borrow */
    Garbage(AccessUnit keyframe) {
        this.keyframe = keyframe;
        int at = 0;
        for (int i = 0; i + 3 < keyframe.data().length; i++) {
            if (keyframe.data()[i] == 0 && keyframe.data()[i + 1] == 0 && keyframe.data()[i + 2] == 1 && (keyframe.data()[i + 3] & 0x1F) == 5) {
                at = i + 5; // keep the IDR's NAL header and first slice header byte
                break;
            }
        }
        if (at == 0) {
            throw new IllegalArgumentException("not an H.264 IDR access unit");
        }
        this.sliceStart = at;
    }

    /** A small real H.264 keyframe (160x96, libx264) for broken slices and lying SPS to start from. */
    static AccessUnit template() {
        return RampTestStream.encode(Codec.H264, org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P, 160, 96, 1, 0).get(0);
    }

    /** The kind of the {@code n}-th garbage unit: half keyframes, broken slices one in {@code brokenEvery}. */
    static Kind kind(long n, int brokenEvery) {
        if (n % 2 == 0) {
            return n % 4 == 0 ? Kind.RANDOM : Kind.RANDOM_NAL_UNITS;
        }
        if ((n / 2) % brokenEvery == 0) {
            return Kind.BROKEN_SLICE;
        }
        return switch ((int) (n / 2 % 3)) {
            case 0 -> Kind.RANDOM_KEYFRAME;
            case 1 -> Kind.TRUNCATED_SPS;
            default -> Kind.LYING_SPS;
        };
    }

    /** A record of stream {@code id}, of {@code kind}, with bytes from {@code random}. */
    FrameRecord record(String id, Kind kind, long pts, Random random) {
        Codec codec = Codec.H264;
        byte[] data;
        switch (kind) {
            case RANDOM, RANDOM_KEYFRAME -> {
                data = new byte[8 + random.nextInt(120)];
                random.nextBytes(data);
                codec = random.nextBoolean() ? Codec.H264 : Codec.HEVC;
            }
            case RANDOM_NAL_UNITS -> {
                data = new byte[8 + random.nextInt(120)];
                random.nextBytes(data);
                for (int i = 0; i + 4 < data.length; i += 4 + random.nextInt(30)) {
                    data[i] = 0;
                    data[i + 1] = 0;
                    data[i + 2] = 1;
                    data[i + 3] = 0x41; // a non-IDR slice
                }
            }
            case TRUNCATED_SPS -> data = TestSps.withSps(Codec.H264, keyframe.data(), new byte[] {0x67, 0x64, 0x00});
            case LYING_SPS -> data = TestSps.withSps(Codec.H264, keyframe.data(),
                    TestSps.H264.of(16, 16).sized(255 + random.nextInt(4000), 255 + random.nextInt(4000), null).nal());
            case BROKEN_SLICE -> {
                data = java.util.Arrays.copyOf(keyframe.data(), Math.min(keyframe.data().length, sliceStart + 2_000));
                for (int i = sliceStart; i < data.length; i++) {
                    data[i] = (byte) random.nextInt(256);
                }
            }
            default -> throw new IllegalArgumentException(kind.name());
        }
        boolean key = kind != Kind.RANDOM && kind != Kind.RANDOM_NAL_UNITS;
        return FrameRecord.valid(id, new AccessUnit(codec, pts, key, data), 1_700_000_000_000L);
    }
}
