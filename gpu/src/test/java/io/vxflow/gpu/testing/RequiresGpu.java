package io.vxflow.gpu.testing;

import io.vxflow.gpu.pipeline.GpuProbe;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Disables GPU tests, with the reason, on machines without a usable CUDA device. */
public final class RequiresGpu implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return GpuProbe.available()
                ? ConditionEvaluationResult.enabled("CUDA device available: " + GpuProbe.reason())
                : ConditionEvaluationResult.disabled("skipped: needs an NVIDIA GPU (" + GpuProbe.reason() + ")");
    }
}
