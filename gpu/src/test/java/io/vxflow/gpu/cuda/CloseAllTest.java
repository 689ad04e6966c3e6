package io.vxflow.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloseAllTest {
    @Test
    void everyStepRunsAndTheFirstFailureCarriesTheOthers() {
        List<String> ran = new ArrayList<>();
        RuntimeException failure = CloseAll.closeAll(List.<AutoCloseable>of(
                () -> ran.add("a"),
                () -> {
                    ran.add("b");
                    throw new IllegalStateException("b failed");
                },
                () -> {
                    ran.add("c");
                    throw new IOException("c failed");
                },
                () -> ran.add("d")));
        assertThat(ran).containsExactly("a", "b", "c", "d");
        assertThat(failure).hasMessage("b failed");
        assertThat(failure.getSuppressed()).singleElement().satisfies(e -> assertThat(e).hasMessage("c failed"));
    }

    @Test
    void nothingFailedIsNull() {
        assertThat(CloseAll.closeAll(List.<AutoCloseable>of(() -> {}))).isNull();
    }
}
