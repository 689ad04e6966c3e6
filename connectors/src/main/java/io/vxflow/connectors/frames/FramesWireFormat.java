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

    /** The most characters of a header or key quoted in a message or log line. */
    public static final int QUOTED_MAX = 64;

    private FramesWireFormat() {}

    /**
     * Producer-supplied text as it may appear in a message or log line: control and format characters
     * escaped as in a Java string literal, and cut after {@code max} characters with the full length noted, so
     * a hostile or broken producer can neither forge log lines nor flood them.
     */
    public static String printable(String text, int max) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), max) + 16);
        int n = Math.min(text.length(), max);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (text.length() > max) {
            b.append("...(").append(text.length()).append(" characters)");
        }
        return b.toString();
    }
}
