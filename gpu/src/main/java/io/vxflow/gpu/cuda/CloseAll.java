package io.vxflow.gpu.cuda;

/**
 * Closing several native resources in order where one failing must not keep the rest open (after a
 * sticky CUDA error every free fails, and each must still be attempted).
 */
public final class CloseAll {
    private CloseAll() {}

    /** Closes each in turn, all of them whatever one throws; the first failure (later ones suppressed in it), or null. */
    public static RuntimeException closeAll(Iterable<? extends AutoCloseable> steps) {
        RuntimeException first = null;
        for (AutoCloseable c : steps) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        return first;
    }
}
