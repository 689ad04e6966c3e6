package io.vxflow.operators.route;

import io.vxflow.codec.AccessUnit;
import java.io.Serializable;

/**
 * Tells the {@link StreamRouter} whether a keyframe would open a decoder (so its stream is worth an
 * entry) and how large its pictures are. Decode implements it with its own limits, so the router
 * admits exactly the streams decode would decode.
 */
public interface KeyframeScreen extends Serializable {
    /** Luma samples per picture (width x height shown) that {@code keyframe}'s SPS declares when decode would open a decoder at it; 0 otherwise. */
    long pixels(AccessUnit keyframe);
}
