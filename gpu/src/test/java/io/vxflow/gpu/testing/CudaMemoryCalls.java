package io.vxflow.gpu.testing;

import io.vxflow.gpu.testing.ClassFileReferences.MethodRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds, in compiled classes, every call that allocates, frees or copies device or pinned memory
 * (the CUDA driver and runtime APIs, and FFmpeg's hardware-frame transfers, a copy in disguise),
 * and tells those of {@code GpuContext} and the buffers it owns, where {@code MemoryStats} counts
 * them, from any other. Reads the bytecode only: runs in CI without a GPU.
 */
public final class CudaMemoryCalls {
    static final String CUDART = "org/bytedeco/cuda/global/cudart";
    static final String AVUTIL = "org/bytedeco/ffmpeg/global/avutil";
    /** The driver and runtime API's copies, allocations and frees, arrays included (memset and cuMemGetInfo are neither). */
    static final Pattern CUDA_MEMORY = Pattern.compile("cu(da)?Mem(cpy|Alloc|Free|HostAlloc|HostRegister|HostUnregister|Create|Map|Unmap"
            + "|Release|Pool|Prefetch)\\w*|cuda(Malloc|Free|HostAlloc|HostRegister|HostUnregister)\\w*"
            + "|cuArray(3D)?(Create|Destroy)\\w*|cuMipmappedArray(Create|Destroy)\\w*|cudaMipmappedArray\\w*|cudaArray\\w*");
    static final Pattern FFMPEG_TRANSFER = Pattern.compile("av_hwframe_(transfer_data|map)");
    /** The classes allowed to make such calls: GpuContext and its buffers. */
    public static final Set<String> OWNERS = Set.of("io/vxflow/gpu/cuda/GpuContext", "io/vxflow/gpu/cuda/DeviceBuffer",
            "io/vxflow/gpu/cuda/PinnedBuffer");

    /**
     * What a scan found.
     *
     * @param classes classes read
     * @param ownersCalls the memory functions the owners call (shows the scan sees such calls at all)
     * @param offenders "class calls function" for every other caller
     */
    public record Scan(int classes, Set<String> ownersCalls, List<String> offenders) {}

    private CudaMemoryCalls() {}

    /** Whether {@code m} allocates, frees or copies device or pinned memory. */
    public static boolean isMemoryCall(MethodRef m) {
        return m.owner().equals(CUDART) && CUDA_MEMORY.matcher(m.name()).matches()
                || m.owner().equals(AVUTIL) && FFMPEG_TRANSFER.matcher(m.name()).matches();
    }

    /** Scans the classes of a directory or a jar (a module's {@code target/classes}, or its jar in a reactor build). */
    public static Scan scan(Path location) throws IOException {
        Set<String> ownersCalls = new TreeSet<>();
        List<String> offenders = new ArrayList<>();
        int[] classes = {0};
        if (Files.isDirectory(location)) {
            try (Stream<Path> files = Files.walk(location)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                    read(Files.readAllBytes(f), ownersCalls, offenders);
                    classes[0]++;
                }
            }
        } else {
            try (ZipFile jar = new ZipFile(location.toFile())) {
                for (ZipEntry e : jar.stream().filter(e -> e.getName().endsWith(".class") && !e.getName().startsWith("META-INF/")).toList()) {
                    read(jar.getInputStream(e).readAllBytes(), ownersCalls, offenders);
                    classes[0]++;
                }
            }
        }
        return new Scan(classes[0], ownersCalls, offenders);
    }

    private static void read(byte[] classFile, Set<String> ownersCalls, List<String> offenders) throws IOException {
        String[] name = new String[1];
        List<MethodRef> refs = ClassFileReferences.methodsReferencedBy(classFile, name);
        String topLevel = name[0].contains("$") ? name[0].substring(0, name[0].indexOf('$')) : name[0];
        for (MethodRef m : refs) {
            if (isMemoryCall(m) && OWNERS.contains(topLevel)) {
                ownersCalls.add(m.name());
            } else if (isMemoryCall(m)) {
                offenders.add(name[0].replace('/', '.') + " calls " + m.name());
            }
        }
    }
}
