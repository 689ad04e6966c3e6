package io.vxflow.operators.route;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.frames.FrameRecord;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Chooses the key group of each stream, so that the decode subtasks carry equal load (pixels x
 * frames/s), not equal shares of a hash. Chained to the source at the decode stage's parallelism,
 * it reads that parallelism from its own task; the max parallelism is the decode stage's, given.
 * Each record goes out with its {@link StreamKey}; decode is keyed by it.
 *
 * <p><b>Which streams get an entry.</b> Only a stream that sent a keyframe whose SPS parses and
 * passes decode's limits (what decode needs to open a decoder: the {@link KeyframeScreen}) is given a key group by
 * choice, at that keyframe: its weight is the SPS's picture size times its frame rate, measured from
 * the pts of its records ({@link StreamRate}, 30 until measured, refined as records come so that later
 * choices see the real load). Every record of it then goes there, bad ones included. Records of a
 * stream before that go where a plain keyBy(stream id) would send them: decode can do nothing with
 * them but count them, and forgets such a stream at once; made-up ids of garbage thus cost the table
 * nothing. An entry silent for twice the decode state expiry is dropped, silence measured in the
 * streams' own time (the Kafka ingest times of the records the router sees), so a job that lags
 * never drops a stream that is only late (decode has forgotten the stream by then; a stream
 * returning after it is placed anew).
 *
 * <p><b>Stable across restarts and rescaling.</b> The table is union list state: after a restore at
 * any parallelism every router knows every assignment, and a stream keeps its key group for as long
 * as decode keeps state for it, so its state never has to move. The max parallelism must not change:
 * Flink refuses to restore decode's keyed state at another, and the router refuses an entry beyond it.
 *
 * <p><b>How even.</b> Routers do not see each other's new assignments until the next restore; each
 * balances its own new streams on top of the restored table. Each router's own streams are spread
 * so that no subtask gets more than one of its streams' weight beyond what the router sees on the
 * lightest subtask, so with R routers taking new streams since the last restore a subtask carries at
 * most R times the largest stream's weight more than the lightest one (for equal streams, R
 * streams); the tie-break rotated by router index spreads the routers' remainders over different
 * subtasks, so in practice the gap is far smaller. A Kafka partition's streams all come to one router
 * (where the source runs at another parallelism, {@code FrameChain} sends each stream to one router by
 * the hash of its id).
 *
 * <p><b>Metrics</b>: {@code loadSpread}, the fullest decode subtask's load over the mean as this
 * router's table sees it (1.0 is perfect), and {@code routedStreams}, the streams in the table.
 */
public final class StreamRouter extends AbstractStreamOperator<Tuple2<StreamKey, FrameRecord>>
        implements OneInputStreamOperator<FrameRecord, Tuple2<StreamKey, FrameRecord>> {
    private static final long serialVersionUID = 1L;
    /** How often, at most, silent entries are looked for between checkpoints. */
    private static final long SWEEP_MILLIS = 1_000;
    private static final ListStateDescriptor<Tuple5<String, Integer, Long, Double, Long>> TABLE = new ListStateDescriptor<>("vxflow-routes",
            Types.TUPLE(Types.STRING, Types.INT, Types.LONG, Types.DOUBLE, Types.LONG));
    private final KeyframeScreen screen;
    private final int maxParallelism;
    private final long expiryMillis;

    private transient RoutingTable table;
    private transient ListState<Tuple5<String, Integer, Long, Double, Long>> state;
    private transient long lastSweepMillis;
    /** The latest Kafka ingest time of a record seen: the router's clock for silence. */
    private transient long latestIngestMillis = Long.MIN_VALUE;

    /**
     * @param screen decode's check of a keyframe: it must pass to get its stream an entry
     * @param maxParallelism the decode stage's max parallelism (its number of key groups)
     * @param expiryMillis decode's state expiry: entries silent this long go (0: never)
     */
    public StreamRouter(KeyframeScreen screen, int maxParallelism, long expiryMillis) {
        if (maxParallelism < 1) {
            throw new IllegalArgumentException("max parallelism must be positive, not " + maxParallelism);
        }
        this.screen = screen;
        this.maxParallelism = maxParallelism;
        this.expiryMillis = expiryMillis;
    }

    /** What the router emits: a record and the key decode is keyed by. */
    public static TypeInformation<Tuple2<StreamKey, FrameRecord>> outputType(TypeInformation<FrameRecord> records) {
        return new TupleTypeInfo<>(StreamKeyTypeInfo.INSTANCE, records);
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        var task = getRuntimeContext().getTaskInfo();
        table = new RoutingTable(maxParallelism, task.getNumberOfParallelSubtasks(), task.getIndexOfThisSubtask());
        state = context.getOperatorStateStore().getUnionListState(TABLE);
        if (context.isRestored()) {
            for (Tuple5<String, Integer, Long, Double, Long> e : state.get()) {
                table.restore(e.f0, e.f1, e.f2, e.f3, e.f4);
            }
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        getMetricGroup().gauge("loadSpread", () -> table.spread());
        getMetricGroup().gauge("routedStreams", () -> table.size());
    }

    @Override
    public void processElement(StreamRecord<FrameRecord> element) throws Exception {
        FrameRecord r = element.getValue();
        String id = r.streamId();
        RoutingTable.Entry e = table.get(id);
        AccessUnit unit = r.unit();
        // silence in the streams' own time (Kafka ingest), not in processing time: a starved or catching-up job
        // would otherwise drop the entry of a stream that is only late, and move it when it goes on
        long now = r.ingestMillis();
        latestIngestMillis = Math.max(latestIngestMillis, now);
        if (e == null && unit != null && unit.keyframe()) {
            long pixels = screen.pixels(unit);
            if (pixels > 0) {
                if (latestIngestMillis - lastSweepMillis >= SWEEP_MILLIS) {
                    table.expire(latestIngestMillis, retentionMillis());
                    lastSweepMillis = latestIngestMillis;
                }
                e = table.assign(id, pixels, now);
            }
        }
        StreamKey key;
        if (e != null) {
            if (unit != null) {
                table.observe(e, unit.ptsMicros(), now);
            }
            key = e.key;
        } else {
            key = StreamKey.hashed(id, maxParallelism);
        }
        output.collect(element.replace(Tuple2.of(key, r)));
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (latestIngestMillis != Long.MIN_VALUE) { // no record yet since the restore: no clock to measure silence by
            table.expire(latestIngestMillis, retentionMillis());
            lastSweepMillis = latestIngestMillis;
        }
        var out = new java.util.ArrayList<Tuple5<String, Integer, Long, Double, Long>>();
        for (RoutingTable.Entry e : table.toWrite()) {
            out.add(Tuple5.of(e.streamId, e.keyGroup, e.pixels, e.rate.fps(), e.lastSeenMillis));
        }
        state.update(out);
    }

    /**
     * How long an entry outlives its stream's last record, in ingest time: twice decode's state
     * expiry, so that a stream decode still knows always comes back to its key group (one decode has
     * forgotten comes back to it too, and starts afresh there).
     */
    private long retentionMillis() {
        return expiryMillis <= 0 ? 0 : 2 * expiryMillis;
    }

    /** For tests: the table. */
    RoutingTable table() {
        return table;
    }
}
