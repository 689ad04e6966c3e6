package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageBreakdownTest {
    private static final long T0 = 1_764_000_000_000L;

    @Test
    void theWindowsMeansSplitLatencyIntoStagesAndTheRestAndTheTailOnItsOwn() {
        StageBreakdown b = new StageBreakdown(100);
        // three fast results: 40 ms, of it decode 2 ms and infer 8 ms
        for (int i = 0; i < 3; i++) {
            b.add(T0 + 1000 + i, 40, Map.of("decode", 2_000L, "infer", 8_000L));
        }
        // one slow: 160 ms, of it decode 2 ms and infer 8 ms and a batch wait of 30 ms
        b.add(T0 + 1500, 160, Map.of("decode", 2_000L, "infer", 8_000L, "batch_wait", 30_000L));
        // outside the window
        b.add(T0 + 5000, 900, Map.of("decode", 900_000L));
        ObjectNode o = new ObjectMapper().createObjectNode();
        b.write(o, T0, T0 + 2000);
        assertThat(o.path("threshold_ms").asLong()).isEqualTo(100);
        assertThat(o.path("all").path("results").asLong()).isEqualTo(4);
        assertThat(o.path("all").path("latency_ms").asDouble()).isEqualTo(70.0);
        assertThat(o.path("all").path("stages_ms").path("decode").asDouble()).isEqualTo(2.0);
        assertThat(o.path("all").path("stages_ms").path("batch_wait").asDouble()).isEqualTo(7.5);
        assertThat(o.path("all").path("outside_stages_ms").asDouble()).isEqualTo(70.0 - 2 - 8 - 7.5);
        assertThat(o.path("over_threshold").path("results").asLong()).isEqualTo(1);
        assertThat(o.path("over_threshold").path("latency_ms").asDouble()).isEqualTo(160.0);
        assertThat(o.path("over_threshold").path("outside_stages_ms").asDouble()).isEqualTo(120.0);
    }

    @Test
    void anEmptyWindowSaysSo() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        new StageBreakdown(100).write(o, T0, T0 + 1000);
        assertThat(o.path("all").path("results").asLong()).isZero();
        assertThat(o.path("all").has("latency_ms")).isFalse();
    }
}
