package io.vxflow.operators.chain;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameReplaySource;
import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.decode.DecodeOperator;
import io.vxflow.operators.decode.DecodeSettings;
import io.vxflow.operators.decode.DecoderAdmission;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.FrameHandleTypeInfo;
import io.vxflow.operators.route.StreamKey;
import io.vxflow.operators.route.StreamKeyTypeInfo;
import io.vxflow.operators.route.StreamRouter;
import io.vxflow.operators.stages.ComposeOperator;
import io.vxflow.operators.stages.CropOperator;
import io.vxflow.operators.stages.InferOperator;
import io.vxflow.operators.stages.NormalizeOperator;
import io.vxflow.operators.stages.PadOperator;
import io.vxflow.operators.stages.PostprocessOperator;
import io.vxflow.operators.stages.ResizeOperator;
import io.vxflow.operators.stages.ResultOperator;
import java.io.Serializable;
import org.apache.flink.api.common.functions.Partitioner;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;

/**
 * Assembles the frame chain on a stream of frame records: the {@link StreamRouter} (chained to the
 * source; it picks each stream's key group so that slots carry equal load), keyBy(the key it chose)
 * (the only shuffle, compressed bytes), then decode → resize → pad → normalize → infer → postprocess → crop → compose
 * → result, all chained at the parallelism of the decode stage. Every operator has a stable
 * {@code uid} ({@code vxflow-<stage>}) and a name.
 */
public final class FrameChain {
    private FrameChain() {}

    /**
     * Options of the chain that are not part of the per-slot {@link PipelineSpec}.
     *
     * @param replaySource where restored or drained streams read their records again; null when the
     *     input does not come from Kafka
     * @param liveMosaics whether compose publishes its mosaic to {@code LiveMosaics} (a local run's web page)
     */
    public record Options(int parallelism, DecodeSettings decode, FrameReplaySource.Factory replaySource, String previewDir,
            long previewIntervalMillis, boolean liveMosaics, int maxParallelism) implements Serializable {
        /**
         * Key groups of decode when the job sets none: streams keep their key group across restarts
         * only while this stays the same, and it bounds how far the job can be scaled out.
         */
        public static final int DEFAULT_MAX_PARALLELISM = 1024;

        public Options {
            if (parallelism < 1 || maxParallelism < parallelism) {
                throw new IllegalArgumentException("the frame chain's parallelism (" + parallelism
                        + ") must be at least 1 and at most its max parallelism (" + maxParallelism + ")");
            }
        }

        /** Decode defaults with {@code workers} decode threads, no replay source, no preview. */
        public static Options defaults(int parallelism, int workers) {
            return new Options(parallelism, DecodeSettings.defaults(workers), null, null, 1_000, false,
                    Math.max(DEFAULT_MAX_PARALLELISM, parallelism));
        }

        public static Options defaults(int parallelism) {
            return defaults(parallelism, Math.max(2, Runtime.getRuntime().availableProcessors()));
        }

        public Options withDecode(DecodeSettings settings) {
            return new Options(parallelism, settings, replaySource, previewDir, previewIntervalMillis, liveMosaics, maxParallelism);
        }

        public Options withReplaySource(FrameReplaySource.Factory source) {
            return new Options(parallelism, decode, source, previewDir, previewIntervalMillis, liveMosaics, maxParallelism);
        }

        /** Where the mosaic is written ({@code null}: nowhere) and how often it is copied to the host at most. */
        public Options withPreview(String dir, long intervalMillis) {
            return new Options(parallelism, decode, replaySource, dir, intervalMillis, liveMosaics, maxParallelism);
        }

        /** Whether the mosaic is published in-process for a live view, at the preview interval. */
        public Options withLiveMosaics(boolean on) {
            return new Options(parallelism, decode, replaySource, previewDir, previewIntervalMillis, on, maxParallelism);
        }

        /** Decode's key groups: fixed for the life of the job's checkpoints. */
        public Options withMaxParallelism(int max) {
            return new Options(parallelism, decode, replaySource, previewDir, previewIntervalMillis, liveMosaics, max);
        }
    }

    public static DataStream<EncodedResult> build(DataStream<FrameRecord> frames, PipelineSpec spec, Options options) {
        SingleOutputStreamOperator<FrameHandle> decoded = route(frames, spec, options)
                .keyBy(new RoutedKeySelector(), StreamKeyTypeInfo.INSTANCE)
                .transform("decode", FrameHandleTypeInfo.INSTANCE, new DecodeOperator(spec, options.decode(), options.replaySource()))
                .uid("vxflow-decode")
                .setParallelism(options.parallelism())
                .setMaxParallelism(options.maxParallelism());
        DataStream<FrameHandle> s = decoded;
        s = stage(s, "resize", new ResizeOperator(spec), options);
        s = stage(s, "pad", new PadOperator(spec), options);
        s = stage(s, "normalize", new NormalizeOperator(spec), options);
        s = stage(s, "infer", new InferOperator(spec), options);
        s = stage(s, "postprocess", new PostprocessOperator(spec), options);
        s = stage(s, "crop", new CropOperator(spec), options);
        s = stage(s, "compose", new ComposeOperator(spec, options.previewDir(), options.previewIntervalMillis(), options.liveMosaics()), options);
        return s.transform("result", TypeInformation.of(EncodedResult.class), new ResultOperator(spec))
                .uid("vxflow-result")
                .setParallelism(options.parallelism())
                .setMaxParallelism(options.maxParallelism());
    }

    /**
     * The {@link StreamRouter} on the records, at decode's parallelism: chained to the source when
     * that runs at the same parallelism (as the job's does). A source at another parallelism is first
     * partitioned by stream id, so that each stream still reaches one router (one more shuffle).
     */
    public static DataStream<Tuple2<StreamKey, FrameRecord>> route(DataStream<FrameRecord> frames, PipelineSpec spec, Options options) {
        DataStream<FrameRecord> in = frames;
        if (frames.getParallelism() != options.parallelism()) {
            in = frames.partitionCustom(new ByStreamId(), new StreamIdSelector());
        }
        DecodeSettings d = options.decode();
        return in.transform("route", StreamRouter.outputType(frames.getType()),
                        new StreamRouter(new DecoderAdmission(spec, d.limits()), options.maxParallelism(), d.stateExpiryMillis()))
                .uid("vxflow-route")
                .setParallelism(options.parallelism());
    }

    private static DataStream<FrameHandle> stage(DataStream<FrameHandle> in, String name,
            OneInputStreamOperator<FrameHandle, FrameHandle> op, Options options) {
        return in.transform(name, FrameHandleTypeInfo.INSTANCE, op).uid("vxflow-" + name).setParallelism(options.parallelism())
                .setMaxParallelism(options.maxParallelism());
    }

    /** Keys routed records by the key the router chose. */
    public static final class RoutedKeySelector implements KeySelector<Tuple2<StreamKey, FrameRecord>, StreamKey> {
        private static final long serialVersionUID = 1L;

        @Override
        public StreamKey getKey(Tuple2<StreamKey, FrameRecord> r) {
            return r.f0;
        }
    }

    /** Sends each stream's records to one router, by the hash of its id. */
    static final class ByStreamId implements Partitioner<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public int partition(String streamId, int partitions) {
            return Math.floorMod(streamId.hashCode(), partitions);
        }
    }

    /** Keys frame records by stream id. */
    public static final class StreamIdSelector implements KeySelector<FrameRecord, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String getKey(FrameRecord r) {
            return r.streamId();
        }
    }
}
