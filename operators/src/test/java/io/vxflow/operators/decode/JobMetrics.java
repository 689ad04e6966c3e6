package io.vxflow.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.DecodeError;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** A job's metrics as a reporter sees them, by operator and name, read while the job runs and after it ended. */
final class JobMetrics {
    private final InMemoryReporter reporter;
    private final JobID job;

    JobMetrics(InMemoryReporter reporter, JobID job) {
        this.reporter = reporter;
        this.job = job;
    }

    private record Found(String operator, String identifier, Metric metric) {}

    private List<Found> all() {
        List<Found> out = new ArrayList<>();
        reporter.getMetricsByGroup().forEach((group, metrics) -> {
            var vars = group.getAllVariables();
            if (job.toString().equals(vars.get("<job_id>"))) {
                metrics.forEach((name, metric) -> out.add(new Found(vars.get("<operator_name>"), group.getMetricIdentifier(name), metric)));
            }
        });
        return out;
    }

    /** The sum over subtasks of {@code operator}'s counter whose identifier ends with {@code suffix}. */
    long counter(String operator, String suffix) {
        long sum = 0;
        for (Found f : all()) {
            if (operator.equals(f.operator()) && f.identifier().endsWith("." + suffix) && f.metric() instanceof Counter c) {
                sum += c.getCount();
            }
        }
        return sum;
    }

    long badInput(DecodeError e) {
        return counter("decode", "badInput." + e.metricName());
    }

    long badInputTotal() {
        long sum = 0;
        for (DecodeError e : DecodeError.values()) {
            sum += badInput(e);
        }
        return sum;
    }

    /** The sum over subtasks of {@code operator}'s numeric gauge {@code name} (operator null: a job-level gauge). */
    long gauge(String operator, String name) {
        long sum = 0;
        int found = 0;
        for (Found f : all()) {
            boolean ours = operator == null ? f.operator() == null : operator.equals(f.operator());
            if (ours && f.identifier().endsWith("." + name) && f.metric() instanceof Gauge<?> g && g.getValue() instanceof Number n) {
                sum += n.longValue();
                found++;
            }
        }
        assertThat(found).as("gauge %s of %s", name, operator).isPositive();
        return sum;
    }
}
