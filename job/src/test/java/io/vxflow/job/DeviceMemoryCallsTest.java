package io.vxflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.Codec;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.gpu.cuda.GpuContext;
import io.vxflow.gpu.testing.CudaMemoryCalls;
import io.vxflow.operators.decode.DecodeOperator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * No vxflow module allocates, frees or copies device memory except through {@code GpuContext} and
 * its buffers: the bytecode of every module the job is built from (codec, gpu, connectors,
 * operators, job), as packaged, so that such a call in an operator or in the job fails in CI too,
 * not only one in the GPU module ({@code CudaMemoryCallsTest} there).
 */
class DeviceMemoryCallsTest {
    @Test
    void noModuleCallsTheCudaMemoryFunctionsOutsideGpuContext() throws Exception {
        List<String> offenders = new ArrayList<>();
        Set<String> ownersCalls = new TreeSet<>();
        for (Class<?> module : List.of(Codec.class, GpuContext.class, FrameRecord.class, DecodeOperator.class, VxflowJob.class)) {
            Path location = Path.of(module.getProtectionDomain().getCodeSource().getLocation().toURI());
            CudaMemoryCalls.Scan scan = CudaMemoryCalls.scan(location);
            assertThat(scan.classes()).as("classes scanned in %s", location).isGreaterThan(4);
            offenders.addAll(scan.offenders());
            ownersCalls.addAll(scan.ownersCalls());
        }
        // the scan sees such calls where they are allowed
        assertThat(ownersCalls).contains("cuMemAlloc", "cuMemcpyDtoHAsync");
        assertThat(offenders).as("device memory calls outside GpuContext and its buffers: route them through GpuContext").isEmpty();
    }
}
