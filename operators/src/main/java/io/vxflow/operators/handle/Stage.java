package io.vxflow.operators.handle;

import java.util.Locale;

/** The stages of the chain, in order; each one's time is recorded on the frame handle. */
public enum Stage {
    DECODE,
    RESIZE,
    PAD,
    NORMALIZE,
    BATCH_WAIT,
    INFER,
    POSTPROCESS,
    CROP,
    COMPOSE,
    READ;

    /** The name used in results and metrics: lower case. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
