package io.vxflow.gpu.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class that needs an NVIDIA GPU: tagged {@code gpu}, and disabled with a visible
 * reason (reported as skipped, never as passed) where no CUDA device can be used. Under
 * {@code VXFLOW_REQUIRE_GPU=1} (what the GPU machine's scripts set) nothing can hide: the class fails
 * instead of being disabled, saying whether the machine has no GPU or CUDA cannot use the one it has,
 * and every skip inside it (a failed assumption: a missing encoder, model or library) is a failure.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag("gpu")
@ExtendWith({RequiresGpu.class, NoSkipsWhenGpuRequired.class})
public @interface GpuTest {}
