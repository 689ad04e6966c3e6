package io.vxflow.gpu.cuda;

/**
 * Classifier postprocess on the GPU: softmax (skipped when the output already is probabilities) and
 * the {@code k} best classes per image, ties to the lower class, as {@link
 * io.vxflow.gpu.postprocess.TopK}. Probabilities agree with the CPU reference within 1e-6 (the
 * exponentials are summed in a different order). Output per image: {@code k} pairs (class, score) as
 * floats. Limitation: k at most 64. Enqueues only.
 */
public final class CudaTopK {
    private final CudaKernel kernel;
    private final int classes;
    private final int k;

    public CudaTopK(KernelModule module, int classes, int k) {
        this.kernel = module.kernel("vx_topk");
        this.classes = classes;
        this.k = Math.min(Math.min(k, classes), 64);
    }

    public int k() {
        return k;
    }

    public void run(GpuContext ctx, long logits, int n, long out) {
        kernel.ptr(logits).i32(classes).i32(k).ptr(out);
        kernel.launch(ctx, n, 1, 1, 256, 1, 0);
    }
}
