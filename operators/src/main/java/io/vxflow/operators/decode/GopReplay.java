package io.vxflow.operators.decode;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameReplaySource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Reads streams' access units since their last keyframe back from Kafka, for replays: one stream at
 * a time when a drained stream resumes mid-GOP, and one pass per partition for all of a slot's streams
 * when it restores (the streams of a partition interleave, so reading each stream's range separately
 * would read the partition once per stream). Reads are serialized: the Kafka consumer behind it is not
 * thread-safe, and replays are rare.
 *
 * <p>Owns the replay source, opened on first use.
 */
final class GopReplay implements AutoCloseable {
    /** A stream's records in its range, or why they cannot be had. */
    record Result(List<FrameRecord> records, String unavailable) {
        static Result missing(String why) {
            return new Result(List.of(), why);
        }
    }

    /** One stream's range within a partition. */
    record Range(String streamId, long from, long to) {}

    private final FrameReplaySource.Factory factory;
    private FrameReplaySource source;
    private boolean closed;

    /** @param factory where records are read again, or null when records carry no offsets */
    GopReplay(FrameReplaySource.Factory factory) {
        this.factory = factory;
    }

    /** One stream's records from {@code from} to {@code to} of {@code partition}. */
    Result read(String streamId, int partition, long from, long to) {
        return readPartition(partition, List.of(new Range(streamId, from, to))).get(streamId);
    }

    /** Reads {@code ranges} of one partition in one pass, on a thread of its own; the future has a result per stream. */
    CompletableFuture<Map<String, Result>> readAsync(int partition, List<Range> ranges) {
        CompletableFuture<Map<String, Result>> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(readPartition(partition, ranges));
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        }, "vxflow-replay-p" + partition);
        t.setDaemon(true);
        t.start();
        return f;
    }

    private synchronized Map<String, Result> readPartition(int partition, List<Range> ranges) {
        Map<String, Result> out = new HashMap<>();
        if (factory == null) {
            ranges.forEach(r -> out.put(r.streamId(), Result.missing("the records carry no Kafka offsets to read them again from")));
            return out;
        }
        if (closed) {
            ranges.forEach(r -> out.put(r.streamId(), Result.missing("the decode stage is closing")));
            return out;
        }
        long from = Long.MAX_VALUE, to = Long.MIN_VALUE;
        Map<String, Range> byStream = new HashMap<>();
        Map<String, List<FrameRecord>> records = new HashMap<>();
        for (Range r : ranges) {
            from = Math.min(from, r.from());
            to = Math.max(to, r.to());
            byStream.put(r.streamId(), r);
            records.put(r.streamId(), new ArrayList<>());
        }
        long first;
        try {
            if (source == null) {
                source = factory.open();
            }
            first = source.read(partition, from, to, rec -> {
                Range r = byStream.get(rec.streamId());
                if (r != null && rec.offset() >= r.from() && rec.offset() <= r.to()) {
                    records.get(rec.streamId()).add(rec);
                }
            });
        } catch (FrameReplaySource.ReplayException | RuntimeException e) {
            ranges.forEach(r -> out.put(r.streamId(), Result.missing(e.getMessage())));
            return out;
        }
        for (Range r : ranges) {
            out.put(r.streamId(), first > r.from()
                    ? Result.missing("Kafka no longer holds partition " + partition + " offset " + r.from() + " (retention; the first is " + first + ")")
                    : new Result(records.get(r.streamId()), null));
        }
        return out;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (source != null) {
            source.close();
            source = null;
        }
    }
}
