package io.vxflow.gpu.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * When the GPU is required ({@link GpuRequirement}), turns every skip of a GPU test (a failed
 * assumption in the test or in its {@code @BeforeAll} or {@code @BeforeEach}) into a failure that
 * quotes the assumption, so a GPU run cannot pass by skipping what it should have proved.
 */
public final class NoSkipsWhenGpuRequired implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw failureIfRequired(context, thrown);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw failureIfRequired(context, thrown);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable thrown) throws Throwable {
        throw failureIfRequired(context, thrown);
    }

    private static Throwable failureIfRequired(ExtensionContext context, Throwable thrown) {
        if (thrown instanceof TestAbortedException && GpuRequirement.required(context)) {
            return new AssertionFailedError("skipped, and " + GpuRequirement.VARIABLE + "=1 counts every skipped GPU test as a failure: "
                    + thrown.getMessage(), thrown);
        }
        return thrown;
    }
}
