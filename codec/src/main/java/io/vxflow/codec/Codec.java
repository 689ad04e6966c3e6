package io.vxflow.codec;

import java.util.Optional;

/** Video codecs on the frames topic, by the name producers put in the {@code codec} header. */
public enum Codec {
    H264("h264"),
    HEVC("hevc");

    private final String wireName;

    Codec(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the {@code codec} header. */
    public String wireName() {
        return wireName;
    }

    /** The codec a header value names ({@code h264}, {@code hevc}; {@code h265} is accepted too). */
    public static Optional<Codec> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "h264":
            case "avc":
                return Optional.of(H264);
            case "hevc":
            case "h265":
                return Optional.of(HEVC);
            default:
                return Optional.empty();
        }
    }
}
