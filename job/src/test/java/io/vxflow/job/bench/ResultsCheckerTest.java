package io.vxflow.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.connectors.results.FrameResult;
import io.vxflow.connectors.results.ResultJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Results the job dropped under overload are told apart by their marker, not by missing detections. */
class ResultsCheckerTest {

    @Test
    void theOverloadMarkerAndNothingElseMeansDropped() {
        FrameResult r = new FrameResult("cam-0", 33_333, 1, 1920, 1080, "squares-640", "cpu", "cpu",
                List.of(new FrameResult.DetectionJson(0, "dropped", 0.9f, 1, 2, 3, 4)), List.of(), List.of(),
                new FrameResult.Timing(1000, 1040, 8, Map.of("decode", 100L)));
        byte[] json = ResultJson.encode(r);
        assertThat(ResultsChecker.isDropped(json)).as("a label that happens to be 'dropped'").isFalse();
        String marked = new String(json, StandardCharsets.UTF_8).replace("\"detections\":[", "\"dropped\":\"overload\",\"detections\":[");
        assertThat(ResultsChecker.isDropped(marked.getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(ResultsChecker.isDropped(new byte[0])).isFalse();
    }
}
