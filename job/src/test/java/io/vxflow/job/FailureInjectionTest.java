package io.vxflow.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vxflow.connectors.results.EncodedResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The test-only failure plan: its syntax, which checkpoints it picks, and that it is absent unless asked for. */
class FailureInjectionTest {

    @Test
    void planPicksEveryNthCheckpointAndAsyncWinsATie() {
        FailureInjection.Plan plan = FailureInjection.Plan.parse("before-commit:3, async-checkpoint:5");
        assertThat(plan.beforeCommitFailure(3)).isTrue();
        assertThat(plan.beforeCommitFailure(4)).isFalse();
        assertThat(plan.asyncFailure(10)).isTrue();
        assertThat(plan.asyncFailure(15)).isTrue();
        assertThat(plan.beforeCommitFailure(15)).isFalse();
        assertThat(FailureInjection.Plan.parse("async-checkpoint:2").beforeCommitFailure(2)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "before-commit", "before-commit:0", "before-commit:x", "sometimes:3", "async-checkpoint:2:3"})
    void aBadPlanIsOneLineNamingTheOption(String spec) {
        assertThatThrownBy(() -> FailureInjection.Plan.parse(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("vxflow.test.inject-failures takes before-commit:N");
    }

    @Test
    void withoutTheOptionTheStreamIsUntouched() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        DataStream<EncodedResult> results = env.fromData(new EncodedResult("cam", 0, new byte[0]));
        assertThat(FailureInjection.insert(new Configuration(), results)).isSameAs(results);

        Configuration conf = new Configuration();
        conf.set(FailureInjection.INJECT_FAILURES, "before-commit:2");
        DataStream<EncodedResult> injected = FailureInjection.insert(conf, results);
        assertThat(injected.getTransformation().getName()).isEqualTo("inject-failures");
        assertThat(injected.getTransformation().getUid()).isEqualTo("vxflow-test-inject-failures");
        assertThat(injected.getParallelism()).isEqualTo(results.getParallelism());
    }

    @Test
    void theStateSerializerThrowsOnAMarkedCheckpointOnly() throws Exception {
        FailureInjection.FailingLongSerializer serializer = new FailureInjection.FailingLongSerializer();
        DataOutputSerializer out = new DataOutputSerializer(16);
        serializer.serialize(0L, out);
        assertThat(serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()))).isZero();
        assertThatThrownBy(() -> serializer.serialize(-12L, out))
                .hasMessage(FailureInjection.MESSAGE_PREFIX + "failing in the asynchronous part of checkpoint 12");
    }

    @Test
    void aSavepointIsNeverFailedOnlyCheckpoints() throws Exception {
        FailureInjection.FailingOperator op = new FailureInjection.FailingOperator(FailureInjection.Plan.parse("async-checkpoint:1"));
        try (var h = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<EncodedResult, EncodedResult>(op)) {
            h.open();
            // the final stop-with-savepoint of a crash test: its id may be a multiple of N too
            h.snapshotWithLocalState(1, 1, org.apache.flink.runtime.checkpoint.SavepointType.savepoint(
                    org.apache.flink.core.execution.SavepointFormatType.CANONICAL));
            assertThatThrownBy(() -> h.snapshot(2, 2)).hasStackTraceContaining("failing in the asynchronous part of checkpoint 2");
        }
    }

    @Test
    void aBeforeCommitTurnThatNoResultFellIntoPassesToTheNextCheckpoint() throws Exception {
        FailureInjection.FailingOperator op = new FailureInjection.FailingOperator(FailureInjection.Plan.parse("before-commit:2"));
        try (var h = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<EncodedResult, EncodedResult>(op)) {
            h.open();
            h.processElement(result(), 0);
            h.snapshot(1, 1);
            h.notifyOfCompletedCheckpoint(1);
            h.processElement(result(), 1); // not a turn: passes
            h.snapshot(2, 2);
            h.notifyOfCompletedCheckpoint(2); // the turn's checkpoint completed before any result: no failure yet
            h.processElement(result(), 2);
            h.snapshot(3, 3); // the turn passed on
            assertThatThrownBy(() -> h.processElement(result(), 3)).hasMessageContaining("failing after checkpoint 3 was taken, before its commit");
        }
    }

    @Test
    void aBeforeCommitTurnFailsOnItsOwnWhenNoResultComesBeforeTheCompletion() throws Exception {
        FailureInjection.FailingOperator op = new FailureInjection.FailingOperator(FailureInjection.Plan.parse("before-commit:2"));
        try (var h = new org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness<EncodedResult, EncodedResult>(op)) {
            h.open();
            h.setProcessingTime(100);
            h.snapshot(1, 1);
            h.setProcessingTime(200); // not a turn: its timer, if any, does nothing
            h.notifyOfCompletedCheckpoint(1);
            h.snapshot(2, 2);
            // no result between the snapshot and the completion (results in phase with the checkpoints): the timer fails it
            assertThatThrownBy(() -> h.setProcessingTime(300)).hasStackTraceContaining("failing after checkpoint 2 was taken, before its commit");
        }
    }

    private static EncodedResult result() {
        return new EncodedResult("cam", 0, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
