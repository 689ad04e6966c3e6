package io.vxflow.gpu.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.vxflow.gpu.pipeline.GpuProbe;
import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * GPU tests cannot hide: sample test classes run through the JUnit launcher with and without
 * {@code vxflow.require-gpu}, and every GPU-tagged class in this module is a {@link GpuTest}. Runs on
 * every machine; the outcome expected of a {@link GpuTest} class follows {@link GpuProbe}.
 */
class RequiresGpuTest {

    @Test
    void aGpuTestClassIsSkippedWithTheReasonOrFailsWhenTheGpuIsRequired() {
        Map<String, String> relaxed = run(GpuSample.class, false);
        Map<String, String> strict = run(GpuSample.class, true);
        if (GpuProbe.available()) {
            assertThat(relaxed).containsEntry("runs", "SUCCESSFUL");
            assertThat(strict).containsEntry("runs", "SUCCESSFUL");
        } else {
            assertThat(relaxed).hasSize(1).hasEntrySatisfying("GpuSample", r -> assertThat(r).startsWith("SKIPPED: skipped: needs an NVIDIA GPU (")
                    .contains(GpuProbe.reason()));
            assertThat(strict).hasEntrySatisfying("GpuSample", r -> assertThat(r).startsWith("FAILED: VXFLOW_REQUIRE_GPU=1 but ")
                    .contains(GpuProbe.reason()));
        }
    }

    @Test
    void aSkipInsideAGpuTestIsAFailureWhenTheGpuIsRequired() {
        Map<String, String> strict = run(AssumingSample.class, true);
        assertThat(strict).containsEntry("passes", "SUCCESSFUL");
        assertThat(strict).hasEntrySatisfying("aborts", r -> assertThat(r)
                .isEqualTo("FAILED: skipped, and VXFLOW_REQUIRE_GPU=1 counts every skipped GPU test as a failure: Assumption failed: needs libx265"));
        assertThat(run(AssumingInBeforeEachSample.class, true)).hasEntrySatisfying("runs", r -> assertThat(r).startsWith("FAILED: skipped")
                .endsWith("needs a model file"));
    }

    @Test
    void aSkipInsideAGpuTestStaysAVisibleSkipOtherwise() {
        Map<String, String> relaxed = run(AssumingSample.class, false);
        assertThat(relaxed).containsEntry("passes", "SUCCESSFUL").containsEntry("aborts", "ABORTED: Assumption failed: needs libx265");
    }

    @Test
    void everyGpuTaggedTestClassIsAGpuTestAndNothingInItIsDisabled() throws Exception {
        List<String> offenders = new ArrayList<>();
        int gpuClasses = 0;
        for (Class<?> c : testClasses()) {
            boolean tagged = AnnotationSupport.findRepeatableAnnotations(c, Tag.class).stream().anyMatch(t -> t.value().equals("gpu"));
            if (c.isAnnotation() || c == RequiresGpuTest.class || !tagged && !c.getSimpleName().matches(".*Gpu(Test|ITCase)")) {
                continue;
            }
            gpuClasses++;
            if (!AnnotationSupport.isAnnotated(c, GpuTest.class)) {
                offenders.add(c.getName() + " is not annotated @GpuTest");
            }
            if (AnnotationSupport.isAnnotated(c, Disabled.class)) {
                offenders.add(c.getName() + " is @Disabled");
            }
            for (Method m : c.getDeclaredMethods()) {
                if (AnnotationSupport.isAnnotated(m, Disabled.class)) {
                    offenders.add(c.getName() + "." + m.getName() + " is @Disabled");
                }
            }
        }
        assertThat(gpuClasses).as("GPU test classes found").isGreaterThanOrEqualTo(5);
        assertThat(offenders).isEmpty();
    }

    /** The top-level classes of this module's test sources, loaded without initialising them. */
    private static List<Class<?>> testClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path root = Path.of(RequiresGpuTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.getFileName().toString().contains("$")).toList()) {
                String name = root.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "");
                classes.add(Class.forName(name, false, RequiresGpuTest.class.getClassLoader()));
            }
        }
        return classes;
    }

    /**
     * Runs {@code testClass} through the JUnit launcher; the outcome of each test and of each class
     * that did not succeed, by name: {@code SUCCESSFUL}, or {@code FAILED}, {@code ABORTED} or {@code
     * SKIPPED} and the message.
     */
    private static Map<String, String> run(Class<?> testClass, boolean gpuRequired) {
        Map<String, String> outcomes = new TreeMap<>();
        TestExecutionListener listener = new TestExecutionListener() {
            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                outcomes.put(name(id), "SKIPPED: " + reason);
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest() || result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    outcomes.put(name(id), result.getStatus() + result.getThrowable().map(t -> ": " + t.getMessage()).orElse(""));
                }
            }
        };
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass))
                .configurationParameter(GpuRequirement.PARAMETER, Boolean.toString(gpuRequired)).build(), listener);
        outcomes.remove("JUnit Jupiter"); // the engine: it fails only when a class does
        return outcomes;
    }

    private static String name(TestIdentifier id) {
        String name = id.getDisplayName();
        name = name.substring(name.lastIndexOf('$') + 1); // a nested sample class
        return name.endsWith("()") ? name.substring(0, name.length() - 2) : name;
    }

    // ---- samples, run only through run(): static nested classes are not picked up by surefire, and
    // their names do not end in Test for the GPU machine's console launcher

    @GpuTest
    static class GpuSample {
        @Test
        void runs() {}
    }

    @ExtendWith(NoSkipsWhenGpuRequired.class)
    static class AssumingSample {
        @Test
        void aborts() {
            assumeTrue(false, "needs libx265");
        }

        @Test
        void passes() {}
    }

    @ExtendWith(NoSkipsWhenGpuRequired.class)
    static class AssumingInBeforeEachSample {
        @org.junit.jupiter.api.BeforeEach
        void needsAModel() {
            assumeTrue(false, "needs a model file");
        }

        @Test
        void runs() {}
    }
}
