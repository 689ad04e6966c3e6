package io.vxflow.gpu.trt;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TensorRT 10 installation outside JavaCPP's jars (a "system TensorRT"), for GPUs newer than the
 * TensorRT 10.6 of the JavaCPP 1.5.11 presets supports (Blackwell needs 10.8 or newer). The home is
 * the top folder of NVIDIA's TensorRT tar ({@code TensorRT-10.x.y.z/}, libraries in {@code lib/}),
 * {@code /usr} for NVIDIA's Debian or RPM packages ({@code lib/x86_64-linux-gnu}, {@code lib64}), or
 * the library folder itself.
 *
 * <p>Owns two things: the check that the home holds TensorRT 10's three libraries that vxflow's
 * bindings link ({@link #find}), and loading them ({@link #use}) by their absolute paths, registered
 * with JavaCPP's {@code Loader} under the names JavaCPP's TensorRT classes ask for ({@code
 * nvinfer@.10}, ...). When those classes load later, JavaCPP finds the libraries loaded already and
 * neither extracts a redistributable jar's copy nor searches anywhere; the JNI libraries' own
 * dependencies on {@code libnvinfer.so.10} resolve to the loaded file by its soname. Setting JavaCPP's
 * {@code pathsFirst} instead would reorder the search for every JavaCPP library (on a machine with a
 * CUDA 13 toolkit in {@code /usr/local/cuda} it loads that {@code libcudart.so} for the CUDA 12
 * bindings, which then fail), and it is read only once per JVM.
 *
 * <p>The home comes from {@code --tensorrt-home}, the system property {@value #PROPERTY} or the
 * environment variable {@value #ENV} (what a TaskManager on a cluster is given).
 */
public final class TensorRtHome {
    private static final Logger LOG = LoggerFactory.getLogger(TensorRtHome.class);
    /** System property naming the home; the command line's {@code --tensorrt-home} sets it. */
    public static final String PROPERTY = "vxflow.tensorrt.home";
    /** Environment variable naming the home, for JVMs vxflow does not start (a cluster's TaskManagers). */
    public static final String ENV = "VXFLOW_TENSORRT_HOME";
    /** The major version vxflow's bindings link against ({@code libnvinfer.so.10}). */
    static final int MAJOR = 10;
    /** The oldest minor release: the bindings are compiled against TensorRT 10.6's headers. */
    static final int MIN_MINOR = 6;
    /** What the bindings link: the runtime and builder, the ONNX parser, and the plugins the parser's binding loads. */
    static final List<String> LIBRARIES = List.of("libnvinfer.so.10", "libnvinfer_plugin.so.10", "libnvonnxparser.so.10");
    /** Where the tar ({@code lib}) and the packages ({@code lib/x86_64-linux-gnu}, {@code lib64}) put them; "" is the home itself. */
    static final List<String> LIBRARY_FOLDERS = List.of("lib", "lib/x86_64-linux-gnu", "lib64", "");
    private static final Pattern OTHER_MAJOR = Pattern.compile("libnvinfer\\.so\\.(\\d+)");
    private static final Pattern RELEASE = Pattern.compile("libnvinfer\\.so\\.(\\d+)\\.(\\d+)\\.(\\d+)");

    private static Libraries used;

    private TensorRtHome() {}

    /**
     * The TensorRT libraries of a home.
     *
     * @param home as the user gave it
     * @param directory the folder holding {@link #LIBRARIES}
     * @param release {@code 10.8.0} when {@code libnvinfer.so.10} links to a versioned file, else empty
     *     (then only {@link TensorRtLibrary#load} can tell)
     */
    public record Libraries(Path home, Path directory, String release) {}

    /**
     * Finds TensorRT 10's libraries in {@code home}; loads nothing.
     *
     * @throws TensorRtLibraryException naming what is missing or which other TensorRT it found
     */
    public static Libraries find(Path home) {
        if (!Files.isDirectory(home)) {
            throw new TensorRtLibraryException("TensorRT home " + home + " is not a folder (give the TensorRT tar's top folder, or /usr for"
                    + " NVIDIA's packages)");
        }
        for (String sub : LIBRARY_FOLDERS) {
            Path dir = sub.isEmpty() ? home : home.resolve(sub);
            if (Files.exists(dir.resolve(LIBRARIES.get(0)))) {
                List<String> missing = LIBRARIES.stream().filter(l -> !Files.exists(dir.resolve(l))).toList();
                if (!missing.isEmpty()) {
                    throw new TensorRtLibraryException("TensorRT home " + home + ": " + dir + " has " + LIBRARIES.get(0) + " but not "
                            + String.join(", ", missing) + " (NVIDIA's packages: libnvinfer-plugin10, libnvonnxparsers10)");
                }
                String release = release(dir.resolve(LIBRARIES.get(0)));
                checkRelease(release, dir);
                return new Libraries(home, dir, release);
            }
        }
        List<String> others = otherMajors(home);
        if (!others.isEmpty()) {
            throw new TensorRtLibraryException("TensorRT home " + home + " holds " + String.join(", ", others) + ", not TensorRT " + MAJOR
                    + ": vxflow's TensorRT bindings need " + LIBRARIES.get(0) + " (TensorRT " + MAJOR + "." + MIN_MINOR + " or a newer 10.x)");
        }
        throw new TensorRtLibraryException("TensorRT home " + home + " has no " + LIBRARIES.get(0) + " in lib/, lib/x86_64-linux-gnu/, "
                + "lib64/ or itself: not a TensorRT " + MAJOR + " installation (give the TensorRT tar's top folder, or /usr for NVIDIA's packages)");
    }

    /** Refuses a file name that says 10.0 to 10.5; an unknown release is checked once loaded. */
    static void checkRelease(String release, Path dir) {
        if (!release.isEmpty() && Integer.parseInt(release.split("\\.")[1]) < MIN_MINOR) {
            throw new TensorRtLibraryException("TensorRT " + release + " in " + dir + " is older than " + MAJOR + "." + MIN_MINOR
                    + ", the release vxflow's TensorRT bindings (JavaCPP 1.5.11) are built against: install " + MAJOR + "." + MIN_MINOR
                    + " or newer");
        }
    }

    /** {@code 10.8.0} from the file {@code libnvinfer.so.10} resolves to ({@code libnvinfer.so.10.8.0}), or "". */
    static String release(Path library) {
        try {
            Matcher m = RELEASE.matcher(library.toRealPath().getFileName().toString());
            return m.matches() ? m.group(1) + "." + m.group(2) + "." + m.group(3) : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> otherMajors(Path home) {
        List<String> found = new ArrayList<>();
        for (String sub : LIBRARY_FOLDERS) {
            Path dir = sub.isEmpty() ? home : home.resolve(sub);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.map(f -> OTHER_MAJOR.matcher(f.getFileName().toString())).filter(Matcher::matches)
                        .map(m -> "TensorRT " + m.group(1) + " (" + m.group() + ")").filter(s -> !found.contains(s)).sorted().forEach(found::add);
            } catch (IOException e) {
                // unreadable: reported as not found
            }
        }
        return found;
    }

    /**
     * Makes the TensorRT classes use {@code home}'s libraries: checks it ({@link #find}), then loads
     * {@link #LIBRARIES} from it, in that order, and registers each with JavaCPP under the name its
     * TensorRT classes load it by ({@link #javacppName}). Call it before any TensorRT class loads;
     * calling it again with the same home does nothing.
     *
     * @throws TensorRtLibraryException when the home is unusable, a library fails to load (the
     *     dynamic linker's reason is given), another home was used already, or TensorRT is loaded
     *     already from another folder
     */
    public static synchronized Libraries use(Path home) {
        Libraries libs = find(home);
        if (used != null) {
            if (used.directory().equals(libs.directory())) {
                return used;
            }
            throw new TensorRtLibraryException("TensorRT home " + home + " comes too late: this JVM already uses " + used.home());
        }
        List<String> mapped = TensorRtLibrary.mappedLibraries();
        for (String file : mapped) {
            if (!TensorRtLibrary.within(Path.of(file), libs.directory())) {
                throw new TensorRtLibraryException("TensorRT home " + home + " comes too late: this JVM already loaded TensorRT from " + file);
            }
        }
        // mapped already from this very folder: the dynamic linker found it on LD_LIBRARY_PATH, or an earlier class loader of
        // this JVM (a restarted Flink job) loaded it; loading it again here would fail ("already loaded in another classloader")
        if (mapped.isEmpty()) {
            for (String library : LIBRARIES) {
                Path file = libs.directory().resolve(library).toAbsolutePath();
                try {
                    System.load(file.toString()); // here, so that a failure comes with the dynamic linker's reason
                    // the same file again: a no-op for the JVM, and JavaCPP now knows the library by the name its classes use
                    Loader.loadLibrary(TensorRtHome.class, new URL[] {file.toUri().toURL()}, javacppName(library));
                } catch (UnsatisfiedLinkError | MalformedURLException e) {
                    throw new TensorRtLibraryException("TensorRT home " + home + ": cannot load " + file + ": " + e.getMessage());
                }
            }
        }
        if (!onLibraryPath(libs.directory(), System.getenv("LD_LIBRARY_PATH"))) {
            LOG.warn("TensorRT home {}: {} is not on LD_LIBRARY_PATH; TensorRT opens its builder resources (libnvinfer_builder_resource*)"
                    + " by name when it builds an engine, so add it there as NVIDIA's install guide does", home, libs.directory());
        }
        used = libs;
        return libs;
    }

    /**
     * The name JavaCPP's TensorRT classes load a library by, and so the key of its registry:
     * {@code libnvinfer.so.10} is {@code nvinfer@.10} (the presets' {@code link} names).
     */
    static String javacppName(String library) {
        Matcher m = Pattern.compile("lib(\\w+)\\.so(\\.\\d+)").matcher(library);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a versioned library file name: " + library);
        }
        return m.group(1) + "@" + m.group(2);
    }

    /** Whether the dynamic linker searches {@code directory}: on LD_LIBRARY_PATH, or a folder of the system's. */
    static boolean onLibraryPath(Path directory, String ldLibraryPath) {
        Path dir = directory.toAbsolutePath().normalize();
        if (List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/usr/lib64"), Path.of("/usr/lib"), Path.of("/lib64")).contains(dir)) {
            return true;
        }
        if (ldLibraryPath == null) {
            return false;
        }
        for (String entry : ldLibraryPath.split(File.pathSeparator)) {
            if (!entry.isBlank() && Path.of(entry).toAbsolutePath().normalize().equals(dir)) {
                return true;
            }
        }
        return false;
    }

    /** The home this JVM is told to use: {@value #PROPERTY}, else {@value #ENV}; empty for JavaCPP's own search. */
    public static Optional<Path> configured() {
        String home = System.getProperty(PROPERTY);
        if (home == null || home.isBlank()) {
            home = System.getenv(ENV);
        }
        return home == null || home.isBlank() ? Optional.empty() : Optional.of(Path.of(home));
    }

    /** The libraries {@link #use} set up in this JVM, if it ran. */
    static synchronized Optional<Libraries> used() {
        return Optional.ofNullable(used);
    }
}
