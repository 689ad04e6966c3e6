package io.vxflow.connectors.results;

/**
 * A result ready for a sink: the stream id (the Kafka key) and the JSON value. A Flink POJO (public
 * fields, no-argument constructor), so it crosses any edge without custom serialization.
 */
public final class EncodedResult {
    public String stream;
    public long pts;
    public byte[] json;

    public EncodedResult() {}

    public EncodedResult(String stream, long pts, byte[] json) {
        this.stream = stream;
        this.pts = pts;
        this.json = json;
    }
}
