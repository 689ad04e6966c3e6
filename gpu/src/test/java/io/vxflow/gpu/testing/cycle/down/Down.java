package io.vxflow.gpu.testing.cycle.down;

import io.vxflow.gpu.testing.cycle.up.Up;

/** The other half of the package cycle for PackageLayersTest: uses {@link Up}. */
public final class Down {
    private Down() {}

    public static int depth() {
        return Up.class.getSimpleName().length() > 0 ? 1 : 0;
    }
}
