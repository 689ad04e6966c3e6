package io.vxflow.connectors.producer;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import java.util.List;
import java.util.Objects;

/**
 * An {@link AccessUnitSource} over access units already in memory, such as those the demo command
 * encodes with {@code SyntheticVideoEncoder}. Holds the list (not a copy of the video: the units'
 * byte arrays are shared, so they must not be changed) and a position in it; {@link #rewind()}
 * goes back to the first unit.
 *
 * <p>The units must be in decode order, Annex-B with in-band parameter sets before each keyframe,
 * all of one codec; they are handed out as they are.
 */
public final class InMemoryAccessUnitSource implements AccessUnitSource {
    private final List<AccessUnit> units;
    private final int width;
    private final int height;
    private final FrameRate frameRate;
    private int position;

    public InMemoryAccessUnitSource(List<AccessUnit> units, int width, int height, FrameRate frameRate) {
        this.units = List.copyOf(units);
        if (this.units.isEmpty()) {
            throw new IllegalArgumentException("an in-memory source needs at least one access unit");
        }
        Codec codec = this.units.get(0).codec();
        if (this.units.stream().anyMatch(u -> u.codec() != codec)) {
            throw new IllegalArgumentException("the access units of one source must all be " + codec.wireName());
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("picture size must be positive, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.frameRate = Objects.requireNonNull(frameRate, "frameRate");
    }

    @Override
    public Codec codec() {
        return units.get(0).codec();
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public FrameRate frameRate() {
        return frameRate;
    }

    @Override
    public AccessUnit next() {
        return position < units.size() ? units.get(position++) : null;
    }

    @Override
    public void rewind() {
        position = 0;
    }

    @Override
    public String description() {
        return "in-memory " + codec().wireName() + " " + width + "x" + height + " (" + units.size() + " access units)";
    }

    @Override
    public void close() {
        // holds no native resources
    }
}
