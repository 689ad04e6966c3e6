package io.vxflow.job.cli;

import io.vxflow.gpu.trt.TensorRtHome;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --tensorrt-home DIR}: TensorRT from a system install instead of JavaCPP's jars, for GPUs newer
 * than the bundled TensorRT 10.6 supports (Blackwell). Shared by the commands that load TensorRT in
 * their own JVM ({@code run} on its local cluster, {@code demo}, {@code bench}, {@code engine}); they
 * call {@link #apply} before anything loads a JavaCPP class. Without the flag, {@value
 * TensorRtHome#ENV} in the environment does the same.
 */
public final class TensorRtHomeFlag {
    @Option(names = "--tensorrt-home", paramLabel = "DIR", description = {"TensorRT 10.6+ (10.8+ for Blackwell) from DIR instead of the"
        + " bundled 10.6: the TensorRT tar's top folder, or /usr for NVIDIA's packages (default: $" + TensorRtHome.ENV + ")."})
    Path home;

    /**
     * Checks the home and sets JavaCPP up to load it; also sets {@value TensorRtHome#PROPERTY} so that
     * this JVM's TaskManagers (a local cluster) use it. Does nothing without a home.
     *
     * @throws io.vxflow.gpu.trt.TensorRtLibraryException for a home that is not TensorRT 10.6 or newer
     */
    void apply() {
        if (home != null) {
            TensorRtHome.use(home);
            System.setProperty(TensorRtHome.PROPERTY, home.toString());
        } else {
            TensorRtHome.configured().ifPresent(TensorRtHome::use);
        }
    }
}
