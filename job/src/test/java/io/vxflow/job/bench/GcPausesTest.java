package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcPausesTest {
    @TempDir
    Path dir;

    @Test
    void thePausesThatBeganInTheWindowAreCountedSummedAndTheLongestKept() throws Exception {
        Path log = dir.resolve("job-gc.log");
        Files.write(log, List.of(
                "[2026-12-02T08:55:00.900+0000] Using G1",
                "[2026-12-02T08:55:00.950+0000] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 100M->20M(1024M) 99.000ms",
                "[2026-12-02T08:55:01.100+0000] GC(2) Pause Young (Normal) (G1 Evacuation Pause) 1024M->512M(32768M) 15.125ms",
                "[2026-12-02T08:55:02.500+0000] GC(3) Pause Young (Concurrent Start) (G1 Humongous Allocation) 2G->1G(32G) 60.5ms",
                "[2026-12-02T08:55:02.600+0000] GC(3) Concurrent Mark Cycle 120.000ms",
                "[2026-12-02T08:55:03.000+0000] GC(4) Pause Remark 300M->300M(32768M) 4.000ms"));
        long from = Instant.parse("2026-12-02T08:55:01Z").toEpochMilli();
        ObjectNode o = new ObjectMapper().createObjectNode();
        GcPauses.write(o, log, from, from + 2000);
        assertThat(o.path("pauses").asLong()).as("%s", o).isEqualTo(2); // not the one before, not the concurrent cycle, not the one at the end
        assertThat(o.path("over_50ms").asLong()).isEqualTo(1);
        assertThat(o.path("total_ms").asDouble()).isEqualTo(75.6);
        assertThat(o.path("longest_ms").asDouble()).isEqualTo(60.5);
    }

    @Test
    void aProcessWithoutALogAddsNothingAndTheFlagWritesWallClockTime() throws Exception {
        ObjectNode o = new ObjectMapper().createObjectNode();
        GcPauses.write(o, dir.resolve("none.log"), 0, Long.MAX_VALUE);
        assertThat(o.isEmpty()).isTrue();
        assertThat(GcPauses.flag(dir.resolve("x.log"))).isEqualTo("-Xlog:gc:file=" + dir.resolve("x.log") + ":utctime");
    }
}
