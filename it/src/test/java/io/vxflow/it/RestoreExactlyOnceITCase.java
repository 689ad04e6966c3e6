package io.vxflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.broker.EmbeddedKafkaBroker;
import io.vxflow.connectors.results.FrameResult;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder;
import io.vxflow.job.JobOptions;
import io.vxflow.job.Models;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across a restore: the job is stopped with a savepoint while a High-profile stream is
 * in the middle of a GOP with B-frames still held in its decoder, more frames are produced, and a new
 * job resumes from the savepoint. Every frame of every stream must appear exactly once among the
 * committed results, in pts order: the decoder's GOP replay supplies the held frames without
 * repeating emitted ones, and the Kafka offsets and transactions line up.
 */
class RestoreExactlyOnceITCase {

    @Test
    void stopAndResumeMidGopLosesAndRepeatsNothing(@TempDir Path savepoints) throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
            broker.start();
            broker.createTopic("frames-restore", 2);
            broker.createTopic("results-restore", 2);
            List<AccessUnit> high = SyntheticVideoEncoder.encode(Profile.HIGH_BFRAMES, 90);
            List<AccessUnit> base = SyntheticVideoEncoder.encode(Profile.BASELINE, 60);
            ModelInfo model = Models.inspect("squares");

            // part 1: 47 access units of the B-frame stream (mid second GOP), 37 of the baseline one
            try (WireProducer p = new WireProducer(broker.bootstrapServers(), "frames-restore")) {
                p.sendAll("cam-high", high.subList(0, 47));
                p.sendAll("cam-base", base.subList(0, 37));
            }
            JobClient first = start(broker, model, null, Duration.ofMinutes(5)); // no idle drain: B-frames stay held
            LocalJob.awaitCommitted(broker, "results-restore", 37 + 40, Duration.ofMinutes(1)); // the job has taken part 1 in
            String savepoint = first.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);

            // part 2: the rest; a job resumed from the savepoint (its splits stay unbounded, as they were
            // checkpointed) drains the held B-frames once the streams go idle
            try (WireProducer p = new WireProducer(broker.bootstrapServers(), "frames-restore")) {
                p.sendAll("cam-high", high.subList(47, high.size()));
                p.sendAll("cam-base", base.subList(37, base.size()));
            }
            JobClient second = start(broker, model, savepoint, Duration.ofSeconds(1));
            LocalJob.awaitCommitted(broker, "results-restore", 150, Duration.ofMinutes(1));
            Thread.sleep(2_000); // anything duplicated would show up by now: two more checkpoints
            second.cancel().get(60, TimeUnit.SECONDS);

            Map<String, List<FrameResult>> results = ResultsReader.readAll(broker.bootstrapServers(), "results-restore", Duration.ofSeconds(3));
            RunJobITCase.assertEveryFrameOnceWithKnownBoxes(results.get("cam-high"), 0, 90);
            RunJobITCase.assertEveryFrameOnceWithKnownBoxes(results.get("cam-base"), 0, 60);
        }
    }

    private static JobClient start(EmbeddedKafkaBroker broker, ModelInfo model, String savepoint, Duration idleFlush) throws Exception {
        Configuration conf = LocalJob.options(broker, "restore", Duration.ofMillis(300));
        conf.set(JobOptions.IDLE_FLUSH, idleFlush);
        return LocalJob.start(conf, model, 2, savepoint);
    }
}
