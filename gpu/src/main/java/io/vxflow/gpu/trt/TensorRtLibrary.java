package io.vxflow.gpu.trt;

import static org.bytedeco.tensorrt.global.nvinfer.getInferLibBuildVersion;
import static org.bytedeco.tensorrt.global.nvinfer.getInferLibVersion;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TensorRT library this process loaded: its version as the library itself reports it ({@code
 * getInferLibVersion}, {@code getInferLibBuildVersion}; never the headers' compile-time constants,
 * since a system TensorRT is newer than the headers the bindings were built with) and the file it was
 * loaded from (read from {@code /proc/self/maps}). {@link #load} loads it once per process, through
 * the {@link TensorRtHome} the process was told to use, checks it and logs one line; the engine cache
 * keys engines by this version ({@link EngineKey}).
 *
 * @param version major * 10000 + minor * 100 + patch, e.g. 100800 for 10.8.0
 * @param build the build number, e.g. 43
 * @param path the file the dynamic linker mapped ({@code libnvinfer.so.10.8.0}, symbolic links
 *     resolved), or "(unknown)" where {@code /proc/self/maps} cannot be read
 */
public record TensorRtLibrary(int version, int build, String path) {
    private static final Logger LOG = LoggerFactory.getLogger(TensorRtLibrary.class);
    private static final Pattern MAPPED = Pattern.compile("(/\\S.*/libnvinfer\\.so(?:\\.\\d+)*)$");
    static final String UNKNOWN_PATH = "(unknown)";
    private static TensorRtLibrary loaded;

    public int major() {
        return version / 10000;
    }

    public int minor() {
        return version / 100 % 100;
    }

    /** {@code 10.8.0.43}. */
    public String release() {
        return major() + "." + minor() + "." + version % 100 + "." + build;
    }

    /**
     * Loads TensorRT (once per process), from the home of {@link TensorRtHome#configured()} when one
     * is set, checks it ({@link #check}) and logs its release and file.
     *
     * @throws TensorRtLibraryException when the home is unusable, or the library loaded is not a
     *     TensorRT 10.6 or newer 10.x, or not the home's
     */
    public static synchronized TensorRtLibrary load() {
        if (loaded != null) {
            return loaded;
        }
        Optional<TensorRtHome.Libraries> home = TensorRtHome.configured().map(TensorRtHome::use).or(TensorRtHome::used);
        // the first call into the TensorRT classes: JavaCPP loads libnvinfer.so.10 here
        int version = getInferLibVersion();
        List<String> mapped = mappedLibraries();
        Path expected = home.map(TensorRtHome.Libraries::directory).orElse(null);
        // with a home, a second copy from anywhere else is what must be refused, whichever the maps list first
        String path = mapped.stream().filter(f -> expected != null && !within(Path.of(f), expected)).findFirst()
                .orElse(mapped.isEmpty() ? UNKNOWN_PATH : mapped.get(0));
        TensorRtLibrary lib = new TensorRtLibrary(version, getInferLibBuildVersion(), path);
        check(lib, expected);
        LOG.info("TensorRT {} loaded from {}{}", lib.release(), lib.path(), home.map(h -> " (TensorRT home " + h.home() + ")")
                .orElse(" (JavaCPP's search: the class path's jars, then the library path)"));
        loaded = lib;
        return lib;
    }

    /**
     * Refuses a library vxflow's bindings cannot use: another major version than 10, a release older
     * than 10.6, or (when {@code expectedDirectory} is given) a file from another folder: a safety net,
     * since {@link TensorRtHome#use} loads the home's file before any TensorRT class can load another.
     */
    static void check(TensorRtLibrary lib, Path expectedDirectory) {
        if (lib.major() != TensorRtHome.MAJOR) {
            throw new TensorRtLibraryException("TensorRT " + lib.release() + " (" + lib.path() + ") is not TensorRT " + TensorRtHome.MAJOR
                    + ": vxflow's TensorRT bindings need TensorRT " + TensorRtHome.MAJOR + "." + TensorRtHome.MIN_MINOR + " or a newer 10.x");
        }
        if (lib.minor() < TensorRtHome.MIN_MINOR) {
            throw new TensorRtLibraryException("TensorRT " + lib.release() + " (" + lib.path() + ") is older than " + TensorRtHome.MAJOR + "."
                    + TensorRtHome.MIN_MINOR + ", the release vxflow's TensorRT bindings (JavaCPP 1.5.11) are built against");
        }
        if (expectedDirectory != null && !lib.path().equals(UNKNOWN_PATH) && !within(Path.of(lib.path()), expectedDirectory)) {
            throw new TensorRtLibraryException("TensorRT " + lib.release() + " was loaded from " + lib.path() + ", not from the TensorRT home's "
                    + expectedDirectory + ": JavaCPP loaded another copy (a TensorRT jar on"
                    + " the class path?); remove it from the class path");
        }
    }

    /** Whether {@code file} (symbolic links resolved) lies directly in {@code directory}. */
    static boolean within(Path file, Path directory) {
        try {
            return file.toRealPath().getParent().equals(directory.toRealPath());
        } catch (IOException e) {
            return file.getParent().equals(directory.toAbsolutePath().normalize());
        }
    }

    /** The libnvinfer file mapped into this process, if TensorRT is loaded (Linux: {@code /proc/self/maps}). */
    static Optional<String> mappedLibrary() {
        return mappedLibraries().stream().findFirst();
    }

    /** Every distinct libnvinfer file mapped into this process: none, one, or a second copy from elsewhere. */
    static List<String> mappedLibraries() {
        try {
            return mappedLibraries(Files.readString(Path.of("/proc/self/maps")));
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** The first {@code .../libnvinfer.so[.N...]} path in the text of a {@code /proc/PID/maps} file. */
    static Optional<String> mappedLibrary(String maps) {
        return mappedLibraries(maps).stream().findFirst();
    }

    /** The distinct {@code .../libnvinfer.so[.N...]} paths in the text of a {@code /proc/PID/maps} file, in order. */
    static List<String> mappedLibraries(String maps) {
        Set<String> paths = new LinkedHashSet<>();
        for (String line : maps.split("\n")) {
            Matcher m = MAPPED.matcher(line.strip());
            if (m.find()) {
                paths.add(m.group(1));
            }
        }
        return List.copyOf(paths);
    }
}
