package io.vxflow.gpu.testing.cycle.up;

import io.vxflow.gpu.testing.cycle.down.Down;

/** Half of a package cycle for PackageLayersTest: uses {@link Down}, which uses it back. */
public final class Up {
    private Up() {}

    public static int depth() {
        return Down.depth() + 1;
    }
}
