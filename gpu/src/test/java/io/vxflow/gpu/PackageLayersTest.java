package io.vxflow.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import io.vxflow.gpu.testing.cycle.down.Down;
import io.vxflow.gpu.testing.cycle.up.Up;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The packages of the GPU module form layers: no package of {@code io.vxflow.gpu} reaches itself
 * through the others. From the bottom: values ({@code geometry}, {@code image}, {@code ops}, {@code
 * tensor}); the CPU reference kernels, postprocess and ONNX inspection ({@code cpu}, {@code
 * postprocess}, {@code infer}); the CUDA runtime and kernels ({@code cuda}); NVDEC and FFmpeg
 * ({@code decode}) and TensorRT ({@code trt}); the slot contract ({@code pipeline}); the two slot
 * runtimes ({@code backend.cpu}, {@code backend.cuda}, opened by {@code backend}); benchmarks.
 *
 * <p>Read from the compiled main classes, every package its own slice (the root package and {@code
 * backend}'s sub-packages included), so a cycle anywhere fails here, in CI, in about a second.
 */
class PackageLayersTest {
    /** One slice per package of the module; classes outside it are no slice. */
    static final SliceAssignment EACH_PACKAGE = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass c) {
            String p = c.getPackageName();
            return p.equals("io.vxflow.gpu") || p.startsWith("io.vxflow.gpu.") ? SliceIdentifier.of(p) : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "each package of io.vxflow.gpu";
        }
    };

    static ArchRule noCycles() {
        return SlicesRuleDefinition.slices().assignedFrom(EACH_PACKAGE).should().beFreeOfCycles();
    }

    @Test
    void noPackageOfTheGpuModuleDependsOnItselfThroughOthers() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.vxflow.gpu");
        // the import saw the module, not an empty or test-only class path
        Set<String> packages = main.stream().map(JavaClass::getPackageName).collect(Collectors.toSet());
        assertThat(packages).contains("io.vxflow.gpu", "io.vxflow.gpu.cuda", "io.vxflow.gpu.pipeline", "io.vxflow.gpu.backend.cpu",
                "io.vxflow.gpu.backend.cuda").doesNotContain("io.vxflow.gpu.testing");
        noCycles().check(main);
    }

    @Test
    void aCycleBetweenTwoPackagesFailsTheRule() {
        JavaClasses fixture = new ClassFileImporter().importClasses(Up.class, Down.class);
        assertThatThrownBy(() -> noCycles().check(fixture)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("io.vxflow.gpu.testing.cycle.up").hasMessageContaining("io.vxflow.gpu.testing.cycle.down");
    }
}
