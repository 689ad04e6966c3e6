package io.vxflow.connectors.producer;

import io.vxflow.codec.AccessUnit;
import io.vxflow.connectors.producer.ReplayProgress.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Publishes one {@link AccessUnitSource} as N logical streams ({@code <prefix>-0 .. <prefix>-N-1},
 * or one given id): each access unit is read once and the same bytes are published once per
 * stream; nothing is decoded or copied. Optionally paced in real time, looped, and bounded by a
 * number of frames per stream or a wall-clock duration.
 *
 * <p>Real-time pacing sends access unit {@code k} of every stream {@code k} frame durations (of the
 * source's {@link AccessUnitSource#frameRate()}) after the start, stream {@code s} of N a further
 * {@code s/N} of a frame later, so the streams take turns instead of bursting together. For a
 * constant-frame-rate source that is each unit's pts relative to the first, in decode order; unlike
 * pts it stays even for streams with B-frames. When publishing falls behind, late units go out at
 * once; nothing is skipped.
 *
 * <p>Looping replays the source again; every pts of a new loop is moved past the last one published, by
 * the previous loops' length plus one frame duration, so that each stream's pts keep increasing
 * across loops (strictly, for streams without B-frames; with B-frames every pts of a loop is above
 * every pts of the loop before). A source of up to {@value #LOOP_IN_MEMORY_BYTES} bytes is kept in
 * memory from its first loop on and replayed from there; a larger one is rewound. Rewinding a file
 * opens and probes it again (50-80 ms for the benchmark's 10 s clip on a busy 2-core machine): the
 * real-time pacing stalls that long and then sends what it owes in a burst, every stream at once,
 * which a camera never does, and which showed as a latency spike every 10 s in the 140-stream runs.
 *
 * <p>Owns its settings and progress counters; the source and publisher stay the caller's. One
 * thread runs {@link #replay}; any thread may call {@link #progress()} and {@link #stop()}.
 *
 * <pre>{@code
 * StreamReplayer replayer = StreamReplayer.builder().streams(8).streamIdPrefix("cam").realTime(true).loop(true).build();
 * try (AccessUnitReader source = AccessUnitReader.open("clip.mp4");
 *      FramePublisher publisher = new FramePublisher("localhost:9092", "frames")) {
 *     ReplayProgress done = replayer.replay(source, publisher);
 * }
 * }</pre>
 */
public final class StreamReplayer {
    /** The largest source (total access unit bytes) a loop replays from memory instead of rewinding. */
    static final long LOOP_IN_MEMORY_BYTES = 64L << 20;
    private final List<String> streamIds;
    private final long loopInMemoryBytes;
    private final boolean realTime;
    private final boolean loop;
    private final long maxFramesPerStream;
    private final Duration maxDuration;

    private volatile boolean stopRequested;
    private volatile long startNanos;
    private volatile long unitsRead;
    private volatile long recordsPublished;
    private volatile long bytesPublished;
    private volatile int loopsCompleted;
    private volatile long endNanos;
    private volatile State state = State.NOT_STARTED;

    private StreamReplayer(Builder b) {
        this.streamIds = b.streamIds();
        this.realTime = b.realTime;
        this.loop = b.loop;
        this.maxFramesPerStream = b.maxFramesPerStream;
        this.maxDuration = b.maxDuration;
        this.loopInMemoryBytes = b.loopInMemoryBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The stream ids records are published under, in the order they take turns. */
    public List<String> streamIds() {
        return streamIds;
    }

    /**
     * Publishes the source until it ends (without looping), a limit is reached, or {@link #stop()};
     * then flushes the publisher.
     *
     * @return the final progress; its state says why the replay ended
     * @throws VideoSourceException if reading fails
     * @throws PublishException if publishing fails
     */
    public ReplayProgress replay(AccessUnitSource source, FramePublisher publisher) {
        synchronized (this) {
            if (state == State.RUNNING) {
                throw new IllegalStateException("this replayer is already running");
            }
            reset();
        }
        State end = State.FAILED;
        try {
            State result = run(source, publisher);
            publisher.flush();
            end = result;
        } finally {
            endNanos = System.nanoTime();
            state = end;
        }
        return progress();
    }

    private void reset() {
        stopRequested = false;
        unitsRead = 0;
        recordsPublished = 0;
        bytesPublished = 0;
        loopsCompleted = 0;
        endNanos = 0;
        startNanos = System.nanoTime();
        state = State.RUNNING;
    }

    private State run(AccessUnitSource source, FramePublisher publisher) {
        ReplayPacer pacer = new ReplayPacer(startNanos, source.frameRate(), streamIds.size());
        LoopTimeline timeline = new LoopTimeline(source.frameRate().frameDurationMicros());
        long unitsThisLoop = 0;
        // the first loop's units while they fit; once it has ended, later loops replay them from memory
        AccessUnitSource current = source;
        List<AccessUnit> firstLoop = loop && !(source instanceof InMemoryAccessUnitSource) ? new ArrayList<>() : null;
        long firstLoopBytes = 0;
        while (true) {
            State limit = limitReached();
            if (limit != null) {
                return limit;
            }
            AccessUnit unit = current.next();
            if (unit != null && firstLoop != null) {
                firstLoopBytes += unit.data().length;
                if (firstLoopBytes <= loopInMemoryBytes) {
                    firstLoop.add(unit);
                } else {
                    firstLoop = null;
                }
            }
            if (unit == null) {
                if (!loop || unitsThisLoop == 0) {
                    return State.END_OF_SOURCE;
                }
                if (firstLoop != null) {
                    current = new InMemoryAccessUnitSource(firstLoop, source.width(), source.height(), source.frameRate());
                    firstLoop = null;
                } else {
                    current.rewind();
                }
                timeline.nextLoop();
                loopsCompleted++;
                unitsThisLoop = 0;
                continue;
            }
            unitsThisLoop++;
            if (!publishToEveryStream(timeline.place(unit), pacer, publisher)) {
                return State.STOPPED;
            }
            unitsRead++;
        }
    }

    private State limitReached() {
        if (stopRequested || Thread.currentThread().isInterrupted()) {
            return State.STOPPED;
        }
        if (unitsRead >= maxFramesPerStream) {
            return State.MAX_FRAMES;
        }
        if (maxDuration != null && System.nanoTime() - startNanos >= maxDuration.toNanos()) {
            return State.MAX_DURATION;
        }
        return null;
    }

    /** False if stopped while waiting for the unit's time. */
    private boolean publishToEveryStream(AccessUnit unit, ReplayPacer pacer, FramePublisher publisher) {
        for (int s = 0; s < streamIds.size(); s++) {
            if (realTime && !pacer.await(unitsRead, s, this::stopping)) {
                return false;
            }
            publisher.publish(streamIds.get(s), unit);
            recordsPublished++;
            bytesPublished += unit.data().length;
        }
        return true;
    }

    private boolean stopping() {
        return stopRequested || Thread.currentThread().isInterrupted();
    }

    /** Asks a running replay to end after the record it is publishing; returns at once. */
    public void stop() {
        stopRequested = true;
    }

    /** The current counters; final once {@link #replay} returned. */
    public ReplayProgress progress() {
        long start = startNanos;
        long end = endNanos != 0 ? endNanos : System.nanoTime();
        Duration elapsed = state == State.NOT_STARTED ? Duration.ZERO : Duration.ofNanos(end - start);
        return new ReplayProgress(unitsRead, recordsPublished, bytesPublished, loopsCompleted, elapsed, state);
    }

    /**
     * Settings of a {@link StreamReplayer}: one stream named {@code stream-0}, as fast as the
     * publisher takes it, no loop, no limit. Owns nothing.
     */
    public static final class Builder {
        private int streams = 1;
        private String prefix = "stream";
        private String singleId;
        private boolean realTime;
        private boolean loop;
        private long maxFramesPerStream = Long.MAX_VALUE;
        private Duration maxDuration;
        private long loopInMemoryBytes = LOOP_IN_MEMORY_BYTES;

        private Builder() {}

        /** For tests: the largest source a loop replays from memory (0: always rewind). */
        Builder loopInMemoryBytes(long bytes) {
            this.loopInMemoryBytes = bytes;
            return this;
        }

        /** How many logical streams to publish the source as. */
        public Builder streams(int count) {
            this.streams = count;
            return this;
        }

        /** Stream ids are {@code <prefix>-0 .. <prefix>-N-1}. */
        public Builder streamIdPrefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** Publishes a single stream under exactly this id (only with one stream); not empty: the id is the record key. */
        public Builder streamId(String id) {
            Objects.requireNonNull(id, "id");
            if (id.isEmpty()) {
                throw new IllegalArgumentException("the stream id must not be empty (it is the Kafka record key)");
            }
            this.singleId = id;
            return this;
        }

        /** Sends each stream's units at the source's frame rate, streams staggered within a frame. */
        public Builder realTime(boolean realTime) {
            this.realTime = realTime;
            return this;
        }

        /** Starts the source again at its end, with pts continuing. */
        public Builder loop(boolean loop) {
            this.loop = loop;
            return this;
        }

        /** Stops after this many access units per stream (across loops). */
        public Builder maxFramesPerStream(long frames) {
            this.maxFramesPerStream = frames;
            return this;
        }

        /** Stops once this much wall-clock time has passed. */
        public Builder maxDuration(Duration duration) {
            this.maxDuration = Objects.requireNonNull(duration, "duration");
            return this;
        }

        public StreamReplayer build() {
            sanityCheck();
            return new StreamReplayer(this);
        }

        private void sanityCheck() {
            if (streams < 1) {
                throw new IllegalArgumentException("at least one stream is needed, got " + streams);
            }
            if (singleId != null && streams != 1) {
                throw new IllegalArgumentException("a single stream id ('" + singleId + "') was given for " + streams
                        + " streams; give a prefix instead, or one stream");
            }
            if (singleId != null ? singleId.isEmpty() : prefix.isEmpty()) {
                throw new IllegalArgumentException("stream ids cannot be empty");
            }
            if (maxFramesPerStream < 1) {
                throw new IllegalArgumentException("the maximum frames per stream must be positive, got "
                        + maxFramesPerStream);
            }
            if (maxDuration != null && (maxDuration.isNegative() || maxDuration.isZero())) {
                throw new IllegalArgumentException("the maximum duration must be positive, got " + maxDuration);
            }
        }

        private List<String> streamIds() {
            if (singleId != null) {
                return List.of(singleId);
            }
            List<String> ids = new ArrayList<>(streams);
            for (int i = 0; i < streams; i++) {
                ids.add(prefix + "-" + i);
            }
            return List.copyOf(ids);
        }
    }
}
