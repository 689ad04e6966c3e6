package io.vxflow.gpu.cuda;

import static org.bytedeco.cuda.global.cudart.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.javacpp.BytePointer;

/**
 * CUDA C kernels from a classpath resource, compiled by NVRTC to a CUBIN for the slot's GPU (or PTX
 * the driver finishes, for a GPU newer than NVRTC; cached on disk, see {@link NvrtcCompiler}) and
 * loaded into its context with the driver API. Owns the
 * loaded module and its kernel handles; one per slot.
 */
public final class KernelModule implements AutoCloseable {
    private final GpuContext context;
    private final CUmod_st module = new CUmod_st();
    private final Map<String, CudaKernel> kernels = new HashMap<>();
    private boolean closed;

    private KernelModule(GpuContext context, byte[] cubinOrPtx) {
        this.context = context;
        context.makeCurrent();
        try (BytePointer image = new BytePointer(cubinOrPtx)) {
            Cuda.check(cuModuleLoadData(module, image), "cuModuleLoadData");
        }
    }

    /** vxflow's own kernels ({@code vxflow_kernels.cu}). */
    public static KernelModule vxflow(GpuContext context) {
        return load(context, Kernels.SOURCE);
    }

    /** Compiles (or takes from the cache) and loads {@code resource}, e.g. {@code /io/vxflow/gpu/cuda/vxflow_kernels.cu}. */
    public static KernelModule load(GpuContext context, String resource) {
        String source = readResource(resource);
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        return new KernelModule(context, NvrtcCompiler.image(source, name, context.device()));
    }

    static String readResource(String resource) {
        try (InputStream in = KernelModule.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + resource + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kernel named {@code name} (an {@code extern "C"} function of the source). */
    public CudaKernel kernel(String name) {
        return kernels.computeIfAbsent(name, n -> {
            CUfunc_st f = new CUfunc_st();
            Cuda.check(cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
            return new CudaKernel(n, f);
        });
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            context.makeCurrent();
            cuModuleUnload(module);
        }
    }
}
