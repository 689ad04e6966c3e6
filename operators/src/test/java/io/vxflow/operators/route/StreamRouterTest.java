package io.vxflow.operators.route;

import static org.assertj.core.api.Assertions.assertThat;

import io.vxflow.codec.AccessUnit;
import io.vxflow.codec.Codec;
import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameRecordTypeInfo;
import io.vxflow.gpu.TestModels;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.gpu.synthetic.SyntheticVideoEncoder.Profile;
import io.vxflow.operators.TestFrames;
import io.vxflow.operators.decode.DecodeLimits;
import io.vxflow.operators.decode.DecoderAdmission;
import io.vxflow.operators.decode.LyingSps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The stream router in Flink's operator test harness: where it puts streams of equal and of mixed
 * load, that garbage gets no entries, and that its table survives a restore and a rescale (union
 * state) with every stream's key group kept. Records are a real 1080p keyframe (x264) and, for
 * other sizes, the same keyframe with its SPS rewritten; what follows a keyframe is never parsed.
 */
class StreamRouterTest {
    private static final int MAX_P = 128;
    private static final long EXPIRY = 60_000;
    private static final PipelineSpec SPEC = PipelineSpec.builder(Backend.CPU, TestModels.squaresInfo()).build();
    private static final List<FrameRecord> CLIP = TestFrames.stream("clip", Profile.BASELINE, 12);

    /** Picture sizes in H.264 macroblocks, and frame rates. */
    enum Kind {
        P1080(120, 68, 30), P720(80, 45, 30), UHD15(240, 135, 15);

        final int widthMbs;
        final int heightMbs;
        final int fps;

        Kind(int widthMbs, int heightMbs, int fps) {
            this.widthMbs = widthMbs;
            this.heightMbs = heightMbs;
            this.fps = fps;
        }
    }

    /** A stream's first {@code frames} records: a keyframe of the kind's size, then units at its frame rate. */
    static List<FrameRecord> stream(String id, Kind kind, int frames) {
        List<FrameRecord> out = new ArrayList<>();
        AccessUnit key = CLIP.get(0).unit();
        if (kind != Kind.P1080) {
            key = LyingSps.resized(key, kind.widthMbs, kind.heightMbs);
        }
        out.add(FrameRecord.valid(id, key, 0));
        for (int i = 1; i < frames; i++) {
            AccessUnit u = CLIP.get(i % CLIP.size()).unit();
            out.add(FrameRecord.valid(id, new AccessUnit(u.codec(), i * 1_000_000L / kind.fps, false, u.data()), i));
        }
        return out;
    }

    static OneInputStreamOperatorTestHarness<FrameRecord, Tuple2<StreamKey, FrameRecord>> harness(int parallelism, int index) throws Exception {
        StreamRouter router = new StreamRouter(new DecoderAdmission(SPEC, DecodeLimits.DEFAULTS), MAX_P, EXPIRY);
        var h = new OneInputStreamOperatorTestHarness<FrameRecord, Tuple2<StreamKey, FrameRecord>>(router, MAX_P, parallelism, index);
        h.setup(StreamRouter.outputType(new FrameRecordTypeInfo()).createSerializer(new ExecutionConfig().getSerializerConfig()));
        return h;
    }

    static RoutingTable table(OneInputStreamOperatorTestHarness<FrameRecord, ?> h) {
        return ((StreamRouter) h.getOneInputOperator()).table();
    }

    /** Feeds each stream's records, one stream after the other (as cameras join), and checks every record went where its entry says. */
    static void feed(OneInputStreamOperatorTestHarness<FrameRecord, Tuple2<StreamKey, FrameRecord>> h, List<List<FrameRecord>> streams)
            throws Exception {
        for (List<FrameRecord> s : streams) {
            for (FrameRecord r : s) {
                h.processElement(r, 0);
            }
        }
        RoutingTable t = table(h);
        for (Tuple2<StreamKey, FrameRecord> out : h.extractOutputValues()) {
            RoutingTable.Entry e = t.get(out.f1.streamId());
            StreamKey want = e != null ? e.key : StreamKey.hashed(out.f1.streamId(), MAX_P);
            assertThat(out.f0).isEqualTo(want);
            assertThat(KeyGroupRangeAssignment.assignToKeyGroup(out.f0, MAX_P)).isEqualTo(want.keyGroup());
        }
        h.getOutput().clear();
    }

    static List<List<FrameRecord>> equalStreams(int from, int to) {
        List<List<FrameRecord>> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(stream(String.format("cam-%03d", i), Kind.P1080, 12));
        }
        return out;
    }

    static List<List<FrameRecord>> mixedStreams(int n, long seed) {
        Random random = new Random(seed);
        List<List<FrameRecord>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(stream("mix-" + i, Kind.values()[random.nextInt(3)], 12));
        }
        return out;
    }

    /** Streams per decode subtask at {@code parallelism}, from the table's key groups. */
    static int[] streamsPerSubtask(RoutingTable t, int parallelism) {
        int[] n = new int[parallelism];
        for (RoutingTable.Entry e : t.entries()) {
            n[KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(MAX_P, parallelism, e.keyGroup)]++;
        }
        return n;
    }

    /** Load per decode subtask at {@code parallelism}, from the table's key groups and weights; max over mean. */
    static double spread(RoutingTable t, int parallelism) {
        double[] load = new double[parallelism];
        for (RoutingTable.Entry e : t.entries()) {
            load[KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(MAX_P, parallelism, e.keyGroup)] += e.weight;
        }
        return Arrays.stream(load).max().orElse(0) / (Arrays.stream(load).sum() / parallelism);
    }

    static int[] hashedPerSubtask(List<List<FrameRecord>> streams, int parallelism) {
        int[] n = new int[parallelism];
        for (List<FrameRecord> s : streams) {
            n[KeyGroupRangeAssignment.assignKeyToParallelOperator(s.get(0).streamId(), MAX_P, parallelism)]++;
        }
        return n;
    }

    @Test
    void equalStreamsOverEightSubtasksLeaveTheFullestWithinOneStreamOfTheMean() throws Exception {
        List<List<FrameRecord>> streams = equalStreams(0, 140);
        try (var h = harness(8, 0)) {
            h.open();
            feed(h, streams);
            RoutingTable t = table(h);
            int[] routed = streamsPerSubtask(t, 8);
            System.out.printf("StreamRouterTest: 140 equal streams on 8 subtasks: routed %s (spread %.3f), hashed %s%n", Arrays.toString(routed),
                    t.spread(), Arrays.toString(hashedPerSubtask(streams, 8)));
            assertThat(t.size()).isEqualTo(140);
            assertThat(Arrays.stream(routed).max().getAsInt()).isLessThanOrEqualTo(18); // mean 17.5
            assertThat(t.spread()).isLessThanOrEqualTo(18 / 17.5 + 1e-9);
        }
    }

    @Test
    void aMixOf1080p30And720p30And4k15IsSpreadWithinTenPercent() throws Exception {
        List<List<FrameRecord>> streams = mixedStreams(140, 7);
        try (var h = harness(8, 3)) {
            h.open();
            feed(h, streams);
            RoutingTable t = table(h);
            System.out.printf("StreamRouterTest: 140 mixed streams on 8 subtasks: load spread %.3f, streams %s%n", t.spread(),
                    Arrays.toString(streamsPerSubtask(t, 8)));
            double fps = t.get("mix-0").rate.fps();
            assertThat(Math.min(Math.abs(fps - 15), Math.abs(fps - 30))).as("measured %s frames/s", fps).isLessThan(0.01);
            assertThat(spread(t, 8)).isCloseTo(t.spread(), org.assertj.core.data.Offset.offset(1e-9));
            assertThat(t.spread()).isLessThanOrEqualTo(1.1);
        }
    }

    @Test
    void garbageAndKeyframesThatFailTheLimitsMakeNoEntries() throws Exception {
        Random random = new Random(3);
        try (var h = harness(8, 0)) {
            h.open();
            List<List<FrameRecord>> garbage = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                byte[] junk = new byte[64];
                random.nextBytes(junk);
                garbage.add(List.of(FrameRecord.valid("made-up-" + i, new AccessUnit(Codec.H264, i, i % 2 == 0, junk), i)));
            }
            // a well-formed SPS claiming 8192x4608, more than the default max pixels
            garbage.add(List.of(FrameRecord.valid("too-large", LyingSps.resized(CLIP.get(0).unit(), 512, 288), 0)));
            // a real stream's records before its keyframe go by the hash of its id; from the keyframe on, by its entry
            List<FrameRecord> late = stream("late", Kind.P1080, 12);
            garbage.add(late.subList(1, 12));
            feed(h, garbage);
            assertThat(table(h).size()).isZero();
            feed(h, List.of(late));
            assertThat(table(h).size()).isEqualTo(1);
        }
    }

    @Test
    void aRestoreKeepsEveryAssignmentAndEntriesGoAfterTwiceTheStateExpiryInIngestTime() throws Exception {
        OperatorSubtaskState snapshot;
        Map<String, Integer> before = new HashMap<>();
        try (var h = harness(8, 0)) {
            h.open();
            feed(h, equalStreams(0, 100));
            table(h).entries().forEach(e -> before.put(e.streamId, e.keyGroup));
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness(8, 0)) {
            h.initializeState(snapshot);
            h.open();
            Map<String, Integer> after = new HashMap<>();
            table(h).entries().forEach(e -> after.put(e.streamId, e.keyGroup));
            assertThat(after).isEqualTo(before);
            feed(h, equalStreams(0, 140)); // the first 100 again (their keyframes must not move them), then 40 new
            for (var e : before.entrySet()) {
                assertThat(table(h).get(e.getKey()).keyGroup).isEqualTo(e.getValue());
            }
            assertThat(Arrays.stream(streamsPerSubtask(table(h), 8)).max().getAsInt()).isLessThanOrEqualTo(18);
            // a processing-time silence (a lagging job) drops nothing
            h.setProcessingTime(10 * EXPIRY);
            h.snapshot(2, 2);
            assertThat(table(h).size()).isEqualTo(140);
            // silent for twice the state expiry in the streams' own time (a later stream's records were ingested
            // that long after theirs): gone at the next checkpoint, and not written into it
            List<FrameRecord> later = stream("later", Kind.P1080, 2);
            List<FrameRecord> shifted = new java.util.ArrayList<>();
            for (FrameRecord r : later) {
                shifted.add(FrameRecord.valid(r.streamId(), r.unit(), 2 * EXPIRY + 1_000 + r.ingestMillis()));
            }
            feed(h, List.of(shifted));
            snapshot = h.snapshot(3, 3);
            assertThat(table(h).size()).isEqualTo(1);
        }
        try (var h = harness(8, 0)) {
            h.initializeState(snapshot);
            h.open();
            assertThat(table(h).size()).as("only the stream that was not silent").isEqualTo(1);
            assertThat(table(h).get("later")).isNotNull();
        }
    }

    @Test
    void rescalingFrom4To8And8To4KeepsEveryKeyGroupAndTheSpread() throws Exception {
        for (int[] scale : new int[][] {{4, 8}, {8, 4}}) {
            rescale(scale[0], scale[1], equalStreams(0, 140), 1.1);
            rescale(scale[0], scale[1], mixedStreams(140, 11), 1.15);
        }
    }

    /**
     * {@code from} routers, each with its own share of the streams (a Kafka partition's streams all go
     * to one router), snapshotted and restored at {@code to}: every router knows every stream's key
     * group, and the load per subtask at the new parallelism stays within {@code bound} of the mean.
     */
    private static void rescale(int from, int to, List<List<FrameRecord>> streams, double bound) throws Exception {
        List<OperatorSubtaskState> snapshots = new ArrayList<>();
        Map<String, Integer> assigned = new HashMap<>();
        for (int i = 0; i < from; i++) {
            try (var h = harness(from, i)) {
                h.open();
                List<List<FrameRecord>> mine = new ArrayList<>();
                for (int s = i; s < streams.size(); s += from) {
                    mine.add(streams.get(s));
                }
                feed(h, mine);
                table(h).entries().forEach(e -> assigned.put(e.streamId, e.keyGroup));
                snapshots.add(h.snapshot(1, 1));
            }
        }
        assertThat(assigned).hasSize(streams.size());
        OperatorSubtaskState all = AbstractStreamOperatorTestHarness.repackageState(snapshots.toArray(new OperatorSubtaskState[0]));
        for (int i = 0; i < to; i++) {
            try (var h = harness(to, i)) {
                h.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(all, MAX_P, from, to, i));
                h.open();
                RoutingTable t = table(h);
                Map<String, Integer> restored = new HashMap<>();
                t.entries().forEach(e -> restored.put(e.streamId, e.keyGroup));
                assertThat(restored).as("router %d of %d", i, to).isEqualTo(assigned);
                if (i == 0) {
                    System.out.printf("StreamRouterTest: %d %s streams, %d routers -> %d subtasks: streams %s, load spread %.3f (%.3f before)%n",
                            streams.size(), streams.get(0).get(0).streamId().startsWith("mix") ? "mixed" : "equal", from, to,
                            Arrays.toString(streamsPerSubtask(t, to)), t.spread(), spreadAt(assigned, streams, from, t));
                }
                assertThat(t.spread()).as("%d -> %d", from, to).isLessThanOrEqualTo(bound);
            }
        }
    }

    /** The spread the restored table's streams had at the old parallelism. */
    private static double spreadAt(Map<String, Integer> assigned, List<List<FrameRecord>> streams, int parallelism, RoutingTable t) {
        return spread(t, parallelism);
    }
}
