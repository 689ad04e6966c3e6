package io.vxflow.codec;

/**
 * One encoded picture as it arrives on the frames topic: Annex-B bytes (start codes, parameter sets
 * in-band before each keyframe), its presentation time in microseconds, and whether the producer
 * marked it as a keyframe (a random access point the decoder can start from).
 */
public record AccessUnit(Codec codec, long ptsMicros, boolean keyframe, byte[] data) {
    public AccessUnit {
        if (codec == null || data == null) {
            throw new IllegalArgumentException("codec and data are required");
        }
    }
}
