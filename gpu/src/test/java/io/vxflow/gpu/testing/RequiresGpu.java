package io.vxflow.gpu.testing;

import io.vxflow.gpu.pipeline.GpuProbe;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * Disables GPU tests, with the reason, on machines without a usable CUDA device; when the GPU is
 * required ({@link GpuRequirement}) it lets them start and fails them before the class's own
 * {@code @BeforeAll}, with one line saying what is wrong with the machine.
 */
public final class RequiresGpu implements ExecutionCondition, BeforeAllCallback {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (GpuProbe.available()) {
            return ConditionEvaluationResult.enabled("CUDA device available: " + GpuProbe.reason());
        }
        if (GpuRequirement.required(context)) {
            return ConditionEvaluationResult.enabled(GpuRequirement.VARIABLE + " is set: fails without a usable GPU");
        }
        return ConditionEvaluationResult.disabled("skipped: needs an NVIDIA GPU (" + GpuProbe.reason() + ")");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!GpuProbe.available() && GpuRequirement.required(context)) {
            throw new AssertionFailedError(GpuRequirement.VARIABLE + "=1 but " + (GpuProbe.state() == GpuProbe.State.BROKEN
                    ? "CUDA cannot use this machine's NVIDIA GPU: " : "this machine has no usable NVIDIA GPU: ") + GpuProbe.reason());
        }
    }
}
