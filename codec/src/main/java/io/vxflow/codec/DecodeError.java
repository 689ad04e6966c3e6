package io.vxflow.codec;

/**
 * Why an access unit could not be decoded. Each reason is one Flink metric and one log line per
 * stream; the stream then waits for its next keyframe.
 */
public enum DecodeError {
    // ordinals travel in FrameRecordSerializer: add new reasons at the end
    /** The decoder rejected the bytes or flagged the picture as damaged. */
    CORRUPT("corrupt-access-unit"),
    /** The stream started, or resumed after an error, on something other than a keyframe. */
    NO_KEYFRAME("waiting-for-keyframe"),
    /** The codec header is missing or names a codec vxflow does not decode. */
    UNKNOWN_CODEC("unknown-codec"),
    /** The pts header is missing or not a decimal number. */
    MISSING_PTS("missing-pts"),
    /** The picture size changed mid-stream; the decoder restarts at this keyframe. */
    RESOLUTION_CHANGE("resolution-change"),
    /** The stream switched codec mid-stream; the decoder restarts at its next keyframe. */
    CODEC_CHANGE("codec-change"),
    /**
     * The decoder produced a picture format vxflow has no kernels for (4:2:0 8- and 10-bit only), or
     * a picture of a shape that letterboxes to nothing in the model input (4096x2 into 640x640).
     */
    UNSUPPORTED_FORMAT("unsupported-format"),
    /**
     * The picture is larger than the configured maximum: the pixels an SPS claims ({@code
     * vxflow.decode.max-pixels}, checked before any decoder allocates), or the size the pools take.
     */
    TOO_LARGE("frame-too-large"),
    /** The record has no key, or a key that is not UTF-8 text: it belongs to no stream. */
    NO_STREAM_ID("missing-stream-id"),
    /** The decoder failed in a way no other reason names (it is closed and opened again at the next keyframe). */
    DECODER_FAILURE("decoder-failure"),
    /**
     * A restored or drained stream could not re-read its access units since the last keyframe from
     * Kafka (retention removed them, or the records carry no offsets): it resumes at its next keyframe.
     */
    REPLAY_UNAVAILABLE("replay-unavailable"),
    /** The record is larger than {@code vxflow.decode.max-access-unit-bytes}: it is dropped unread. */
    ACCESS_UNIT_TOO_LARGE("access-unit-too-large"),
    /**
     * A sequence parameter set cannot be read (truncated, out of range), or a keyframe carries none
     * while no decoder of the stream holds one: no decoder is opened or fed with it.
     */
    BAD_PARAMETER_SETS("bad-parameter-sets"),
    /**
     * The decoder took access units without an error and gave no picture for them: FFmpeg, opened or
     * reset at a unit that claimed to be a keyframe but was not one it can start at, decodes silently
     * until a real one and hands out nothing before it. Counted when a picture of a later keyframe's
     * GOP (or the end of a drain) shows they will never come; decoding goes on.
     */
    NO_PICTURE("no-picture");

    private final String metricName;

    DecodeError(String metricName) {
        this.metricName = metricName;
    }

    /** The metric and log name: lower case with dashes. */
    public String metricName() {
        return metricName;
    }
}
