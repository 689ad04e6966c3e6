package io.vxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.gpu.testing.ClassFileReferences;
import io.vxflow.gpu.testing.ClassFileReferences.MethodRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Device memory is allocated, freed and copied to or from the host only by {@link GpuContext} and
 * the buffers it owns ({@link DeviceBuffer}, {@link PinnedBuffer}), where {@link MemoryStats}
 * counts it: read from the bytecode of every class of vxflow's GPU module, so a direct {@code
 * cuMemcpy*} or {@code cudaMalloc*} anywhere else (or an FFmpeg hardware-frame transfer, a copy in
 * disguise) fails here, in CI, without a GPU.
 */
class CudaMemoryCallsTest {
    static final String CUDART = "org/bytedeco/cuda/global/cudart";
    static final String AVUTIL = "org/bytedeco/ffmpeg/global/avutil";
    /** The driver and runtime API's copies, allocations and frees (memset and cuMemGetInfo are neither). */
    static final Pattern CUDA_MEMORY = Pattern.compile("cu(da)?Mem(cpy|Alloc|Free|HostAlloc|HostRegister|HostUnregister|Create|Map|Unmap"
            + "|Release|Pool|Prefetch)\\w*|cuda(Malloc|Free|HostAlloc|HostRegister|HostUnregister)\\w*");
    static final Pattern FFMPEG_TRANSFER = Pattern.compile("av_hwframe_(transfer_data|map)");
    static final Set<String> OWNERS = Set.of("io/vxflow/gpu/cuda/GpuContext", "io/vxflow/gpu/cuda/DeviceBuffer", "io/vxflow/gpu/cuda/PinnedBuffer");

    @Test
    void onlyTheGpuContextAndItsBuffersAllocateFreeOrCopyDeviceMemory() throws Exception {
        Path classes = Path.of(GpuContext.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        Set<String> ownersCalls = new TreeSet<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                String[] name = new String[1];
                List<MethodRef> refs = ClassFileReferences.methodsReferencedBy(Files.readAllBytes(f), name);
                scanned++;
                String topLevel = name[0].contains("$") ? name[0].substring(0, name[0].indexOf('$')) : name[0];
                for (MethodRef m : refs) {
                    boolean memory = m.owner().equals(CUDART) && CUDA_MEMORY.matcher(m.name()).matches()
                            || m.owner().equals(AVUTIL) && FFMPEG_TRANSFER.matcher(m.name()).matches();
                    if (memory && OWNERS.contains(topLevel)) {
                        ownersCalls.add(m.name());
                    } else if (memory) {
                        offenders.add(name[0].replace('/', '.') + " calls " + m.name());
                    }
                }
            }
        }
        assertThat(scanned).as("classes scanned in %s", classes).isGreaterThan(50);
        // the scan sees what it is meant to see: the owners' own calls
        assertThat(ownersCalls).contains("cuMemAlloc", "cuMemFree", "cuMemAllocHost", "cuMemFreeHost", "cuMemcpyDtoHAsync", "cuMemcpyHtoDAsync");
        assertThat(offenders).as("device memory calls outside GpuContext and its buffers: route them through GpuContext").isEmpty();
    }
}
