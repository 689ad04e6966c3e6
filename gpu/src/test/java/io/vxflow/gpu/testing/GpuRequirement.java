package io.vxflow.gpu.testing;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Whether this run demands that every GPU test runs: the JUnit configuration parameter {@value
 * #PARAMETER} ({@code true} or {@code 1}; a system property of that name works too) or, when it is
 * not set, the environment variable {@value #VARIABLE}.
 */
final class GpuRequirement {
    static final String PARAMETER = "vxflow.require-gpu";
    static final String VARIABLE = "VXFLOW_REQUIRE_GPU";

    private GpuRequirement() {}

    static boolean required(ExtensionContext context) {
        String value = context.getConfigurationParameter(PARAMETER).orElseGet(() -> System.getenv(VARIABLE));
        return value != null && (value.trim().equals("1") || value.trim().equalsIgnoreCase("true"));
    }
}
