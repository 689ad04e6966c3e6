package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vxflow.gpu.bench.BenchReport;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NVDEC alone comes from the file 'vxflow bench decode' writes. */
class E2eBenchmarkTest {

    @Test
    void decodeRatesAreReadFromTheDecodeBenchmarksReport(@TempDir Path dir) throws Exception {
        BenchReport r = new BenchReport(); // rows named as DecodeBenchmark names them
        r.add("decode", "NVDEC decode", Map.of("streams", 64, "slots", 16), 4318.24, "frames/s");
        r.add("decode", "NVDEC + fused preprocess to fp16", Map.of("streams", 64, "slots", 16), 4290.0, "frames/s");
        r.add("decode", "FFmpeg software decode (1 core)", Map.of("streams", 1), 470.04, "frames/s");
        r.write(dir, "decode");
        ObjectNode out = new ObjectMapper().createObjectNode();
        E2eBenchmark.decodeRates(dir.resolve("decode.jsonl"), out);
        assertThat(out.path("decode_fps").asDouble()).isEqualTo(4318.2);
        assertThat(out.path("decode_preprocess_fps").asDouble()).isEqualTo(4290.0);
        assertThat(out.path("cpu_decode_fps_one_core").asDouble()).isEqualTo(470.0);
    }
}
