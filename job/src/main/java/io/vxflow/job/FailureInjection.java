package io.vxflow.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.vxflow.connectors.results.EncodedResult;
import java.io.IOException;
import java.io.Serializable;
import java.util.Locale;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures on purpose, for the crash tests only. With {@code vxflow.test.inject-failures} set,
 * {@link #insert} puts an operator between the frame chain and the results sink (chained, at the
 * chain's parallelism) that fails the job at chosen checkpoints:
 *
 * <ul>
 *   <li>{@code before-commit:N}: from every Nth checkpoint (by id) on, after a checkpoint's snapshot
 *       was taken, so the sink's Kafka transaction is pre-committed, and before the checkpoint's
 *       completion reaches the task, so before that transaction is committed: the next result
 *       fails the task, and so does a timer 1 ms after the snapshot if the completion has not come
 *       by then. A checkpoint whose completion comes first (with buffer debloating a checkpoint
 *       takes tens of milliseconds) passes the turn to the next one, until one fails (CI,
 *       2026-12-02: none of seven turns fired within three minutes when each checkpoint was the
 *       only chance);
 *   <li>{@code async-checkpoint:N}: on every Nth checkpoint, in the asynchronous part of the
 *       checkpoint (the operator's state serializer throws while the state is written), so the
 *       checkpoint fails, and the job with it.
 * </ul>
 *
 * <p>For example {@code -Dvxflow.test.inject-failures=before-commit:7,async-checkpoint:11}. Every
 * failure's message starts with {@link #MESSAGE_PREFIX}, so a test can count them in the job's
 * exception history. Without the option the job graph is unchanged. Owns nothing.
 */
public final class FailureInjection {
    /** Hidden on purpose: not in {@link JobOptions} nor in the README. */
    public static final ConfigOption<String> INJECT_FAILURES = key("vxflow.test.inject-failures").stringType().noDefaultValue()
            .withDescription("Testing only: fail the job on purpose, e.g. before-commit:7,async-checkpoint:11 (every 7th and 11th checkpoint).");
    public static final String MESSAGE_PREFIX = "vxflow test failure injection: ";
    // not LOG: the operator below would see AbstractStreamOperator's
    private static final Logger INJECTION_LOG = LoggerFactory.getLogger(FailureInjection.class);

    private FailureInjection() {}

    /** {@code results}, or, when the option is set, {@code results} through the failing operator. */
    public static DataStream<EncodedResult> insert(ReadableConfig conf, DataStream<EncodedResult> results) {
        return conf.getOptional(INJECT_FAILURES)
                .map(spec -> (DataStream<EncodedResult>) results.transform("inject-failures", results.getType(), new FailingOperator(Plan.parse(spec)))
                        .uid("vxflow-test-inject-failures")
                        .setParallelism(results.getParallelism()))
                .orElse(results);
    }

    /** Which checkpoints fail, and how; 0 turns a kind off. */
    record Plan(int beforeCommitEvery, int asyncCheckpointEvery) implements Serializable {
        static Plan parse(String spec) {
            int beforeCommit = 0, async = 0;
            for (String part : spec.split(",")) {
                String[] kv = part.trim().split(":");
                int every;
                try {
                    every = kv.length == 2 ? Integer.parseInt(kv[1].trim()) : -1;
                } catch (NumberFormatException e) {
                    every = -1;
                }
                String kind = kv[0].trim().toLowerCase(Locale.ROOT);
                if (every < 1 || !(kind.equals("before-commit") || kind.equals("async-checkpoint"))) {
                    throw new IllegalArgumentException(INJECT_FAILURES.key() + " takes before-commit:N and/or async-checkpoint:N (N >= 1), not '" + spec + "'");
                }
                if (kind.equals("before-commit")) {
                    beforeCommit = every;
                } else {
                    async = every;
                }
            }
            return new Plan(beforeCommit, async);
        }

        boolean asyncFailure(long checkpointId) {
            return asyncCheckpointEvery > 0 && checkpointId % asyncCheckpointEvery == 0;
        }

        boolean beforeCommitFailure(long checkpointId) {
            return beforeCommitEvery > 0 && checkpointId % beforeCommitEvery == 0 && !asyncFailure(checkpointId);
        }
    }

    /** Passes results through; fails as its {@link Plan} says. */
    static final class FailingOperator extends AbstractStreamOperator<EncodedResult> implements OneInputStreamOperator<EncodedResult, EncodedResult> {
        private static final long serialVersionUID = 1L;
        private final Plan plan;
        private transient ListState<Long> marker;
        /** The checkpoint taken but not known to be complete whose commit the next result fails before; 0: none. */
        private transient long armed;
        /** Whether a before-commit failure is due and has not happened yet: every checkpoint arms until one fires. */
        private transient boolean beforeCommitDue;
        /** Whether the snapshot being taken is a savepoint. */
        private transient boolean savepoint;

        FailingOperator(Plan plan) {
            this.plan = plan;
        }

        @Override
        public void initializeState(StateInitializationContext context) throws Exception {
            super.initializeState(context);
            marker = context.getOperatorStateStore().getListState(new ListStateDescriptor<>("vxflow-test-inject-failures", new FailingLongSerializer()));
        }

        @Override
        public void processElement(StreamRecord<EncodedResult> element) {
            if (armed > 0) {
                long checkpoint = armed;
                armed = 0;
                beforeCommitDue = false;
                throw fail("failing after checkpoint " + checkpoint + " was taken, before its commit");
            }
            output.collect(element);
        }

        @Override
        public org.apache.flink.streaming.api.operators.OperatorSnapshotFutures snapshotState(long checkpointId, long timestamp,
                org.apache.flink.runtime.checkpoint.CheckpointOptions options, org.apache.flink.runtime.state.CheckpointStreamFactory factory)
                throws Exception {
            savepoint = options.getCheckpointType().isSavepoint();
            return super.snapshotState(checkpointId, timestamp, options, factory);
        }

        @Override
        public void snapshotState(StateSnapshotContext context) throws Exception {
            super.snapshotState(context);
            long id = context.getCheckpointId();
            marker.clear();
            if (savepoint) {
                // a savepoint (the test's final stop-with-savepoint) is never failed: the ids count savepoints too,
                // and CI's run of 2026-12-02 had its stop --drain fail on savepoint 85 = 5 x 17
                return;
            }
            if (plan.asyncFailure(id)) {
                marker.add(-id); // written, and thrown on, in the asynchronous part
                return;
            }
            if (plan.beforeCommitFailure(id)) {
                beforeCommitDue = true;
            }
            if (beforeCommitDue) {
                armed = id;
                // fail on a timer too, not only at the next result: with cameras at 1 fps and checkpoints every
                // second, results can keep one phase and never fall between a snapshot and its completion (CI,
                // 2026-12-02: once records were flushed at once, 180 checkpoints passed without a turn firing)
                long now = getProcessingTimeService().getCurrentProcessingTime();
                getProcessingTimeService().registerTimer(now + 1, t -> failIfStillArmed(id));
            }
        }

        /** The turn's checkpoint was taken and its completion has not reached the task: its commit has not happened. */
        private void failIfStillArmed(long checkpoint) {
            if (armed == checkpoint) {
                armed = 0;
                beforeCommitDue = false;
                throw fail("failing after checkpoint " + checkpoint + " was taken, before its commit");
            }
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            super.notifyCheckpointComplete(checkpointId);
            if (armed > 0 && checkpointId >= armed) {
                armed = 0; // no result came in between: the commit may already have happened; the next checkpoint tries again
            }
        }

        private static IllegalStateException fail(String what) {
            INJECTION_LOG.warn("{}{}", MESSAGE_PREFIX, what);
            return new IllegalStateException(MESSAGE_PREFIX + what);
        }
    }

    /** Serializes longs; a negative one (a checkpoint marked to fail) throws instead. */
    public static final class FailingLongSerializer extends TypeSerializerSingleton<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isImmutableType() {
            return true;
        }

        @Override
        public Long createInstance() {
            return 0L;
        }

        @Override
        public Long copy(Long from) {
            return from;
        }

        @Override
        public Long copy(Long from, Long reuse) {
            return from;
        }

        @Override
        public int getLength() {
            return Long.BYTES;
        }

        @Override
        public void serialize(Long value, DataOutputView target) throws IOException {
            if (value < 0) {
                throw FailingOperator.fail("failing in the asynchronous part of checkpoint " + -value);
            }
            target.writeLong(value);
        }

        @Override
        public Long deserialize(DataInputView source) throws IOException {
            return source.readLong();
        }

        @Override
        public Long deserialize(Long reuse, DataInputView source) throws IOException {
            return source.readLong();
        }

        @Override
        public void copy(DataInputView source, DataOutputView target) throws IOException {
            target.writeLong(source.readLong());
        }

        @Override
        public TypeSerializerSnapshot<Long> snapshotConfiguration() {
            return new FailingLongSerializerSnapshot();
        }
    }

    /** The snapshot Flink restores {@link FailingLongSerializer} from (found by class name: public, no-argument constructor). */
    public static final class FailingLongSerializerSnapshot extends SimpleTypeSerializerSnapshot<Long> {
        public FailingLongSerializerSnapshot() {
            super(FailingLongSerializer::new);
        }
    }
}
