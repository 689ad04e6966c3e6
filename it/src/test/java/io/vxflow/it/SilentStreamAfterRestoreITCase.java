package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.job.Models;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A camera that stops mid-GOP while its decoder holds B-frames for reordering, then the job is
 * restored (here from a savepoint; in {@link TaskManagerCrashITCase} after a failure) and the
 * camera sends nothing more: the held frames must still come out, when the input ends ({@code stop
 * --drain}). Found by the crash test: after a restore, a stream that received no further record
 * had no decoder, so neither the end of input nor the idle flush ever handed out the frames its
 * checkpointed GOP still owed (pts 10500000 and 11000000 here). Fixed by re-decoding every restored
 * stream's GOP and arming its idle timer at the restore; this test keeps it fixed.
 */
class SilentStreamAfterRestoreITCase {

    @Test
    void framesHeldAtTheCheckpointComeOutAfterARestoreWithoutNewInput(@TempDir Path savepoints) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            broker.start();
            broker.createTopic("frames-silent", 1);
            broker.createTopic("results-silent", 1);
            // 3 GOPs of 6 and the first 5 access units of the 4th (I P B B B): the decoder holds 2 frames at the end
            SceneClip clip = SceneClip.of(Profile.HIGH_BFRAMES, 640, 360, 2, 6, 36);
            List<AccessUnit> units = clip.units.subList(0, 23);
            try (WireProducer p = new WireProducer(broker.bootstrapServers(), "frames-silent")) {
                p.sendAll("cam", units);
            }
            ModelInfo model = Models.inspect("squares");
            Configuration options = LocalJob.options(broker, "silent", Duration.ofMillis(500));
            JobClient first = LocalJob.start(options, model, 1, null);
            LocalJob.awaitCommitted(broker, "results-silent", 21, Duration.ofMinutes(2));
            String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);

            JobClient second = LocalJob.start(options, model, 1, savepoint);
            Thread.sleep(3_000); // restored and idle: nothing new arrives
            second.stopWithSavepoint(true, savepoints.toUri().toString(), SavepointFormatType.CANONICAL).get(2, TimeUnit.MINUTES);

            List<Long> want = new ArrayList<>();
            units.forEach(u -> want.add(u.ptsMicros()));
            want.sort(null);
            List<FrameResult> results = ResultsReader.readAll(broker.bootstrapServers(), "results-silent", Duration.ofSeconds(3))
                    .getOrDefault("cam", List.of());
            assertThat(results).extracting(FrameResult::pts).containsExactlyElementsOf(want);
        }
    }
}
