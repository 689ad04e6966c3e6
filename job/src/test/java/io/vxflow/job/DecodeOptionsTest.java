package io.vxflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.operators.decode.DecodeLimits;
import io.vxflow.operators.decode.DecodeSettings;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The decode stage's options, as {@code -Dkey=value} strings, become the settings the operator runs with. */
class DecodeOptionsTest {
    private static DecodeSettings settings(Map<String, String> options) {
        return VxflowJob.decodeSettings(Configuration.fromMap(options), Backend.CPU);
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        DecodeSettings s = settings(Map.of());
        assertThat(s.limits()).isEqualTo(DecodeLimits.DEFAULTS);
        assertThat(s.limits().maxPixels()).isEqualTo(4096L * 2304);
        assertThat(s.limits().maxAccessUnitBytes()).isEqualTo(8 << 20);
        assertThat(s.limits().maxStreamsPerSlot()).isEqualTo(256);
        assertThat(s.idleFlushMillis()).isEqualTo(30_000);
        assertThat(s.evictAfterMillis()).isEqualTo(600_000);
        assertThat(s.stateExpiryMillis()).isEqualTo(86_400_000);
    }

    @Test
    void everyDecodeOptionReachesTheSettings() {
        DecodeSettings s = settings(Map.of(
                "vxflow.decode.max-pixels", "2073600",
                "vxflow.decode.max-access-unit-bytes", "2 mb",
                "vxflow.decode.max-streams-per-slot", "16",
                "vxflow.decode.idle-flush", "5 s",
                "vxflow.decode.evict-after", "1 min",
                "vxflow.decode.state-expiry", "2 h"));
        assertThat(s.limits()).isEqualTo(new DecodeLimits(1920 * 1080, 2 << 20, 16));
        assertThat(s.idleFlushMillis()).isEqualTo(5_000);
        assertThat(s.evictAfterMillis()).isEqualTo(60_000);
        assertThat(s.stateExpiryMillis()).isEqualTo(7_200_000);
        assertThat(settings(Map.of("vxflow.decode.state-expiry", "0 s")).stateExpiryMillis()).as("0 keeps positions").isZero();
    }

    @Test
    void limitsThatAllowNothingAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> settings(Map.of("vxflow.decode.max-streams-per-slot", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("vxflow.decode.max-streams-per-slot must be at least 1, not 0");
        assertThatThrownBy(() -> settings(Map.of("vxflow.decode.max-pixels", "-1")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("vxflow.decode.max-pixels must be positive, not -1");
        assertThatThrownBy(() -> settings(Map.of("vxflow.decode.max-access-unit-bytes", "4 gb")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("vxflow.decode.max-access-unit-bytes must be between");
    }
}
