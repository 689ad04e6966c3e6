package io.vxflow.operators.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;

/**
 * Per-stream metric groups of two operators of one slot, registered in a metric registry as Flink's
 * runtime does: a stream's metrics appear in both operators' groups once it arrived, and eviction
 * unregisters every one of them (what a reporter needs to drop the series); a returning stream gets
 * fresh ones; an operator never opens a group for a stream that has not arrived or was evicted.
 */
class SlotStreamMetricsTest {
    /** What a reporter would hold: identifier → metric, with registrations and removals applied. */
    private final Map<String, Metric> registered = new TreeMap<>();
    private final TaskMetricGroup task = TaskManagerMetricGroup.createTaskManagerMetricGroup(TestingMetricRegistry.builder()
                    .setRegisterConsumer((m, name, group) -> registered.put(group.getMetricIdentifier(name), m))
                    .setUnregisterConsumer((m, name, group) -> registered.remove(group.getMetricIdentifier(name)))
                    .build(), "host", ResourceID.generate())
            .addJob(new JobID(), "job").addTask(ExecutionAttemptID.randomId(), "chain");
    private final MetricGroup decode = task.getOrAddOperator("decode");
    private final MetricGroup result = task.getOrAddOperator("result");

    /** The per-stream series among everything the task and operator groups register. */
    private java.util.List<String> streamSeries() {
        // host.taskmanager.<tm id>.job.<operator>.<subtask>.stream.<id>.<name> → <operator>.stream.<id>.<name>
        return registered.keySet().stream().filter(id -> id.contains(".stream.")).map(id -> id.replaceFirst("^.*\\.job\\.(\\w+)\\.\\d+\\.", "$1.")).toList();
    }

    @Test
    void evictionUnregistersTheStreamsMetricsInEveryOperatorAndAReturningStreamStartsAfresh() {
        SlotStreamMetrics slot = new SlotStreamMetrics();
        SlotStreamMetrics.PerStream<Counter> in = slot.perStream(decode, g -> g.counter("framesIn"));
        SlotStreamMetrics.PerStream<Counter> out = slot.perStream(result, g -> g.counter("framesOut"));

        assertThat(out.get("cam-1")).as("no group for a stream that has not arrived").isNull();
        for (String id : new String[] {"cam-1", "cam-2"}) {
            slot.arrived(id);
            in.get(id).inc();
            out.get(id).inc(2);
        }
        assertThat(streamSeries()).containsExactly("decode.stream.cam-1.framesIn",
                "decode.stream.cam-2.framesIn", "result.stream.cam-1.framesOut",
                "result.stream.cam-2.framesOut");

        slot.evicted("cam-1");
        assertThat(streamSeries()).as("cam-1's series are gone from both operators")
                .containsExactly("decode.stream.cam-2.framesIn", "result.stream.cam-2.framesOut");
        assertThat(out.get("cam-1")).as("a late result of an evicted stream opens nothing").isNull();
        assertThat(streamSeries()).hasSize(2);
        assertThat(slot.liveStreams()).isEqualTo(1);

        slot.arrived("cam-1");
        in.get("cam-1").inc();
        assertThat(((Counter) registered.entrySet().stream().filter(e -> e.getKey().endsWith(".decode.0.stream.cam-1.framesIn")).findFirst().orElseThrow().getValue()).getCount())
                .as("a returning stream counts from zero again").isEqualTo(1);
        slot.evicted("cam-1");
        slot.evicted("cam-1");
        assertThat(streamSeries()).hasSize(2);
    }

    @Test
    void aReleasedOperatorIsNoLongerFollowed() {
        SlotStreamMetrics slot = new SlotStreamMetrics();
        SlotStreamMetrics.PerStream<Counter> out = slot.perStream(result, g -> g.counter("framesOut"));
        slot.arrived("cam-1");
        out.get("cam-1").inc();
        out.release();
        slot.evicted("cam-1");
        assertThat(streamSeries()).as("the operator's own group closes its streams when the operator closes").hasSize(1);
    }
}
