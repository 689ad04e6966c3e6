package io.vxflow.connectors.frames;

/**
 * The frames topic's wire format, which any Kafka client in any language can produce:
 *
 * <ul>
 *   <li>key: the stream id, UTF-8;
 *   <li>value: one access unit (one picture) in Annex-B byte-stream form, H.264 or H.265, with the
 *       parameter sets (VPS/SPS/PPS) in-band before each keyframe;
 *   <li>header {@code codec}: {@code h264} or {@code hevc};
 *   <li>header {@code pts}: presentation time in microseconds, ASCII decimal;
 *   <li>header {@code key}: {@code 1} on a keyframe (absent or {@code 0} otherwise).
 * </ul>
 *
 * Records of one stream must be in decode order in one partition (keying by stream id does that).
 */
public final class FramesWireFormat {
    public static final String HEADER_CODEC = "codec";
    public static final String HEADER_PTS = "pts";
    public static final String HEADER_KEY = "key";

    private FramesWireFormat() {}
}
