package io.vxflow.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The job's network buffers go out after every record unless Flink's own buffer-timeout options say otherwise. */
class NetworkFlushTest {
    private static StreamGraph graph(Map<String, String> envOptions, Map<String, String> jobOptions) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, Configuration.fromMap(envOptions));
        Configuration conf = Configuration.fromMap(jobOptions);
        conf.setString("vxflow.kafka.bootstrap", "localhost:9092");
        return VxflowJob.build(env, conf, Models.inspect("squares"));
    }

    private static java.util.List<Long> timeouts(StreamGraph g) {
        return g.getStreamNodes().stream().map(StreamNode::getBufferTimeout).distinct().toList();
    }

    @Test
    void byDefaultEveryOperatorFlushesAfterEachRecord() {
        assertThat(timeouts(graph(Map.of(), Map.of()))).containsExactly(0L);
    }

    @Test
    void flinksOwnSettingWinsWhereverItIsSet() {
        assertThat(timeouts(graph(Map.of("execution.buffer-timeout.interval", "20 ms"), Map.of()))).containsExactly(20L);
        assertThat(timeouts(graph(Map.of(), Map.of("execution.buffer-timeout.interval", "20 ms")))).as("given to vxflow with -D").containsExactly(20L);
        assertThat(timeouts(graph(Map.of("execution.buffer-timeout.enabled", "false"), Map.of()))).containsExactly(-1L);
    }
}
