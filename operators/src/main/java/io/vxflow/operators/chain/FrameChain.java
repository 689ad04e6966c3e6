package io.vxflow.operators.chain;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.frames.FrameReplaySource;
import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.decode.DecodeOperator;
import io.vxflow.operators.decode.DecodeSettings;
import io.vxflow.operators.handle.FrameHandle;
import io.vxflow.operators.handle.FrameHandleTypeInfo;
import io.vxflow.operators.stages.ComposeOperator;
import io.vxflow.operators.stages.CropOperator;
import io.vxflow.operators.stages.InferOperator;
import io.vxflow.operators.stages.NormalizeOperator;
import io.vxflow.operators.stages.PadOperator;
import io.vxflow.operators.stages.PostprocessOperator;
import io.vxflow.operators.stages.ResizeOperator;
import io.vxflow.operators.stages.ResultOperator;
import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;

/**
 * Assembles the frame chain on a stream of frame records: keyBy(stream id) (the only shuffle,
 * compressed bytes), then decode → resize → pad → normalize → infer → postprocess → crop → compose
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
            long previewIntervalMillis, boolean liveMosaics) implements Serializable {
        /** Decode defaults with {@code workers} decode threads, no replay source, no preview. */
        public static Options defaults(int parallelism, int workers) {
            return new Options(parallelism, DecodeSettings.defaults(workers), null, null, 1_000, false);
        }

        public static Options defaults(int parallelism) {
            return defaults(parallelism, Math.max(2, Runtime.getRuntime().availableProcessors()));
        }

        public Options withDecode(DecodeSettings settings) {
            return new Options(parallelism, settings, replaySource, previewDir, previewIntervalMillis, liveMosaics);
        }

        public Options withReplaySource(FrameReplaySource.Factory source) {
            return new Options(parallelism, decode, source, previewDir, previewIntervalMillis, liveMosaics);
        }

        /** Where the mosaic is written ({@code null}: nowhere) and how often it is copied to the host at most. */
        public Options withPreview(String dir, long intervalMillis) {
            return new Options(parallelism, decode, replaySource, dir, intervalMillis, liveMosaics);
        }

        /** Whether the mosaic is published in-process for a live view, at the preview interval. */
        public Options withLiveMosaics(boolean on) {
            return new Options(parallelism, decode, replaySource, previewDir, previewIntervalMillis, on);
        }
    }

    public static DataStream<EncodedResult> build(DataStream<FrameRecord> frames, PipelineSpec spec, Options options) {
        SingleOutputStreamOperator<FrameHandle> decoded = frames.keyBy(new StreamIdSelector(), Types.STRING)
                .transform("decode", FrameHandleTypeInfo.INSTANCE, new DecodeOperator(spec, options.decode(), options.replaySource()))
                .uid("vxflow-decode")
                .setParallelism(options.parallelism());
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
                .setParallelism(options.parallelism());
    }

    private static DataStream<FrameHandle> stage(DataStream<FrameHandle> in, String name,
            OneInputStreamOperator<FrameHandle, FrameHandle> op, Options options) {
        return in.transform(name, FrameHandleTypeInfo.INSTANCE, op).uid("vxflow-" + name).setParallelism(options.parallelism());
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
