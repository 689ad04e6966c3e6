package io.vxflow.job;

import io.vxflow.connectors.frames.FrameRecord;
import io.vxflow.connectors.kafka.KafkaClientProperties;
import io.vxflow.connectors.frames.FramesDeserializationSchema;
import io.vxflow.connectors.frames.FrameReplaySource;
import io.vxflow.connectors.frames.KafkaFrameReplaySource;
import io.vxflow.connectors.results.EncodedResult;
import io.vxflow.connectors.results.ResultsSerializationSchema;
import io.vxflow.gpu.infer.ModelInfo;
import io.vxflow.gpu.pipeline.Backend;
import io.vxflow.gpu.pipeline.PipelineSpec;
import io.vxflow.operators.chain.FrameChain;
import io.vxflow.operators.chain.FrameChainValidator;
import io.vxflow.operators.decode.DecodeLimits;
import io.vxflow.operators.decode.DecodeSettings;
import io.vxflow.operators.decode.InferenceInterval;
import io.vxflow.operators.decode.OverloadPolicy;
import io.vxflow.operators.slot.ModelLocator;
import io.vxflow.job.web.LiveViewServer;
import java.util.Locale;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * Builds the vxflow job from {@link JobOptions}: KafkaSource (frames; offsets in checkpoints) →
 * the stream router (chained to it; picks each stream's key group by load) → keyBy(its choice) → the frame chain → KafkaSink (results, exactly once through Kafka
 * transactions committed on checkpoints). The graph is validated before it is returned, so a
 * topology that would break the frame chain fails here.
 */
public final class VxflowJob {
    private static final int MAX_RECORD_BYTES = 16 << 20;

    private VxflowJob() {}

    /** The per-slot spec from the options and the checked model. */
    public static PipelineSpec pipelineSpec(Configuration conf, ModelInfo model) {
        String precision = conf.get(JobOptions.PRECISION).toLowerCase(Locale.ROOT);
        if (!precision.equals("fp16") && !precision.equals("fp32")) {
            throw new IllegalArgumentException("precision must be fp16 or fp32, not '" + precision + "'");
        }
        String engine = conf.get(JobOptions.DECODE_ENGINE).toLowerCase(Locale.ROOT);
        if (!engine.equals("nvdec") && !engine.equals("cpu")) {
            throw new IllegalArgumentException("vxflow.decode.engine must be nvdec or cpu, not '" + engine + "'");
        }
        PipelineSpec.Builder b = PipelineSpec.builder(Backend.parse(conf.get(JobOptions.BACKEND)), model)
                .decodeOnCpu(engine.equals("cpu"))
                .maxWaitMillis(conf.get(JobOptions.BATCH_WAIT).toMillis())
                .fp16(precision.equals("fp16"))
                .thresholds(conf.get(JobOptions.CONFIDENCE), conf.get(JobOptions.IOU))
                .maxDetections(conf.get(JobOptions.MAX_DETECTIONS))
                .topK(conf.get(JobOptions.TOP_K))
                .crops(conf.get(JobOptions.CROP_SIZE), conf.get(JobOptions.CROP_MAX))
                .mosaic(conf.get(JobOptions.MOSAIC_TILES), conf.get(JobOptions.MOSAIC_TILE_WIDTH))
                .threads(conf.get(JobOptions.DECODE_THREADS), conf.get(JobOptions.INFER_THREADS));
        if (model.fixedBatch() == 0) {
            b.maxBatch(conf.get(JobOptions.BATCH_SIZE));
        }
        return b.build();
    }

    /** How the decode stage runs, from the options; {@code backend} sizes the worker pool. */
    public static DecodeSettings decodeSettings(Configuration conf, Backend backend) {
        int workers = conf.get(JobOptions.DECODE_WORKERS);
        if (workers < 0) {
            throw new IllegalArgumentException("vxflow.decode.workers must not be negative");
        }
        if (workers == 0) {
            // NVDEC: enough sessions in flight for its engines, each worker mostly waiting; CPU: one per core
            workers = backend == Backend.CPU ? Math.max(2, Runtime.getRuntime().availableProcessors()) : 32;
        }
        int inFlight = conf.get(JobOptions.DECODE_MAX_IN_FLIGHT);
        if (inFlight < 0) {
            throw new IllegalArgumentException("vxflow.decode.max-in-flight must not be negative");
        }
        return DecodeSettings.defaults(workers)
                .withWorkers(workers, inFlight > 0 ? inFlight : Math.max(64, 4 * workers))
                .withIdleFlush(conf.get(JobOptions.IDLE_FLUSH).toMillis())
                .withEviction(conf.get(JobOptions.EVICT_AFTER).toMillis())
                .withStateExpiry(conf.get(JobOptions.STATE_EXPIRY).toMillis())
                .withOverload(overloadPolicy(conf))
                .withLimits(decodeLimits(conf))
                .withInterval(inferenceInterval(conf));
    }

    /**
     * The inference interval from {@link JobOptions#INFER_INTERVAL} and {@link
     * JobOptions#INFER_PER_STREAM_INTERVAL}; a bad value is refused with one line naming the option.
     */
    public static InferenceInterval inferenceInterval(Configuration conf) {
        int every = conf.get(JobOptions.INFER_INTERVAL);
        if (every < 1) {
            throw new IllegalArgumentException(JobOptions.INFER_INTERVAL.key() + " must be at least 1 (every frame), not " + every);
        }
        try {
            return InferenceInterval.parse(every, conf.get(JobOptions.INFER_PER_STREAM_INTERVAL));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(JobOptions.INFER_PER_STREAM_INTERVAL.key() + ": " + e.getMessage());
        }
    }

    static DecodeLimits decodeLimits(Configuration conf) {
        long pixels = conf.get(JobOptions.DECODE_MAX_PIXELS);
        if (pixels < 1) {
            throw new IllegalArgumentException("vxflow.decode.max-pixels must be positive, not " + pixels);
        }
        long bytes = conf.get(JobOptions.DECODE_MAX_ACCESS_UNIT).getBytes();
        if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("vxflow.decode.max-access-unit-bytes must be between 1 byte and 2 GiB, not "
                    + conf.get(JobOptions.DECODE_MAX_ACCESS_UNIT).toHumanReadableString());
        }
        int streams = conf.get(JobOptions.DECODE_MAX_STREAMS_PER_SLOT);
        if (streams < 1) {
            throw new IllegalArgumentException("vxflow.decode.max-streams-per-slot must be at least 1, not " + streams);
        }
        return new DecodeLimits(pixels, (int) bytes, streams);
    }

    static OverloadPolicy overloadPolicy(Configuration conf) {
        String policy = conf.get(JobOptions.OVERLOAD_POLICY).toLowerCase(Locale.ROOT);
        switch (policy) {
            case "queue":
                return OverloadPolicy.QUEUE;
            case "drop":
                long lag = conf.get(JobOptions.OVERLOAD_MAX_LAG).toMillis();
                if (lag <= 0) {
                    throw new IllegalArgumentException("vxflow.overload.max-lag must be positive");
                }
                return OverloadPolicy.drop(lag);
            default:
                throw new IllegalArgumentException("vxflow.overload.policy must be queue or drop, not '" + policy + "'");
        }
    }

    /**
     * Makes the job's network buffers go out after every record, unless Flink's
     * {@code execution.buffer-timeout.*} is set (in the cluster's configuration or with {@code -D}).
     * Flink sends a buffer when it is full or after the buffer timeout, 100 ms by default: a video
     * frame of 17 KB (1080p30 at 4 Mbit/s) leaves part of itself in a 32 KB buffer until the next
     * record on the same channel arrives, 15-30 ms later at 2 streams a channel, and up to 100 ms on a
     * quiet one. Flushing costs what it does for large records at thousands a second: nothing that
     * shows. Measured with {@code vxflow bench e2e --backend cpu --streams 1 --seconds 120}: mean latency outside the
     * stages 60 ms with Flink's default, 19 ms flushing every record (docs/tuning.md).
     */
    static void configureNetworkFlush(StreamExecutionEnvironment env, ReadableConfig conf) {
        Configuration given = new Configuration();
        conf.getOptional(ExecutionOptions.BUFFER_TIMEOUT_ENABLED).ifPresent(v -> given.set(ExecutionOptions.BUFFER_TIMEOUT_ENABLED, v));
        conf.getOptional(ExecutionOptions.BUFFER_TIMEOUT).ifPresent(v -> given.set(ExecutionOptions.BUFFER_TIMEOUT, v));
        if (!given.keySet().isEmpty()) {
            env.configure(given); // given to vxflow with -D: on a cluster they would not reach the environment otherwise
        } else if (env.getConfiguration().getOptional(ExecutionOptions.BUFFER_TIMEOUT).isEmpty()
                && env.getConfiguration().getOptional(ExecutionOptions.BUFFER_TIMEOUT_ENABLED).isEmpty()) {
            env.setBufferTimeout(0);
        }
    }

    /** Adds the job to {@code env} and returns its validated stream graph, ready to execute. */
    public static StreamGraph build(StreamExecutionEnvironment env, Configuration conf, ModelInfo model) {
        String bootstrap = conf.getOptional(JobOptions.BOOTSTRAP)
                .orElseThrow(() -> new IllegalArgumentException("no Kafka bootstrap servers: pass --bootstrap HOST:PORT"));
        PipelineSpec spec = pipelineSpec(conf, model);
        int parallelism = conf.get(JobOptions.PARALLELISM) > 0 ? conf.get(JobOptions.PARALLELISM) : env.getParallelism();
        int maxParallelism = conf.get(JobOptions.MAX_PARALLELISM);
        if (maxParallelism < parallelism || maxParallelism > 32768) {
            throw new IllegalArgumentException(JobOptions.MAX_PARALLELISM.key() + " must be between the parallelism (" + parallelism
                    + ") and 32768, not " + maxParallelism);
        }
        // one value for every operator: the router chained to the source picks key groups of decode's
        env.setMaxParallelism(maxParallelism);
        env.enableCheckpointing(conf.get(JobOptions.CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);
        conf.getOptional(JobOptions.CHECKPOINT_DIR).ifPresent(dir -> env.configure(CheckpointDirectory.storage(dir)));
        if (conf.get(JobOptions.RESTART_ATTEMPTS) >= 0) {
            // a job that keeps failing ends, with its cause, instead of restarting silently forever
            Configuration restart = new Configuration();
            restart.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
            restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, conf.get(JobOptions.RESTART_ATTEMPTS));
            restart.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF, java.time.Duration.ofMinutes(1));
            env.configure(restart);
        }
        env.registerCachedFile(model.path(), ModelLocator.CACHE_NAME);
        configureNetworkFlush(env, conf);

        DataStream<FrameRecord> frames = env.fromSource(source(conf, bootstrap), WatermarkStrategy.noWatermarks(), "frames")
                .uid("vxflow-source")
                .setParallelism(parallelism);
        FrameChain.Options options = FrameChain.Options.defaults(parallelism)
                .withMaxParallelism(maxParallelism)
                .withDecode(decodeSettings(conf, spec.backend()))
                .withReplaySource(replaySource(conf, bootstrap))
                .withPreview(conf.getOptional(JobOptions.PREVIEW_DIR).orElse(null), conf.get(JobOptions.PREVIEW_INTERVAL).toMillis())
                .withLiveMosaics(conf.getOptional(LiveViewServer.PORT).isPresent());
        DataStream<EncodedResult> results = FailureInjection.insert(conf, FrameChain.build(frames, spec, options)); // tests only
        results.sinkTo(sink(conf, bootstrap)).uid("vxflow-sink").name("results").setParallelism(parallelism);

        StreamGraph graph = env.getStreamGraph();
        FrameChainValidator.validate(graph);
        graph.setJobName("vxflow " + conf.get(JobOptions.FRAMES_TOPIC) + " -> " + conf.get(JobOptions.RESULTS_TOPIC) + " (" + model.name() + ")");
        return graph;
    }

    /** Where restored streams read their GOPs again: the frames topic, with the source's client properties. */
    static FrameReplaySource.Factory replaySource(Configuration conf, String bootstrap) {
        Map<String, String> properties = new HashMap<>(JobOptions.kafkaClientProperties(conf));
        properties.put("bootstrap.servers", bootstrap);
        return KafkaFrameReplaySource.factory(conf.get(JobOptions.FRAMES_TOPIC), properties);
    }

    static KafkaSource<FrameRecord> source(Configuration conf, String bootstrap) {
        KafkaSourceBuilder<FrameRecord> b = KafkaSource.<FrameRecord>builder()
                .setBootstrapServers(bootstrap)
                .setTopics(conf.get(JobOptions.FRAMES_TOPIC))
                .setGroupId(conf.get(JobOptions.GROUP_ID))
                .setDeserializer(new FramesDeserializationSchema())
                // the user's client properties (security, tuning) win over these defaults
                .setProperties(KafkaClientProperties.merge(Map.of(
                        "max.partition.fetch.bytes", Integer.toString(MAX_RECORD_BYTES),
                        "fetch.max.bytes", Integer.toString(4 * MAX_RECORD_BYTES),
                        "partition.discovery.interval.ms", "10000",
                        "commit.offsets.on.checkpoint", "true"), JobOptions.kafkaClientProperties(conf), Map.of()));
        String from = conf.get(JobOptions.STARTING_OFFSETS).toLowerCase(Locale.ROOT);
        switch (from) {
            case "committed":
                b.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
                break;
            case "earliest":
                b.setStartingOffsets(OffsetsInitializer.earliest());
                break;
            case "latest":
                b.setStartingOffsets(OffsetsInitializer.latest());
                break;
            default:
                throw new IllegalArgumentException("starting offsets must be committed, earliest or latest, not '" + from + "'");
        }
        if (conf.get(JobOptions.BOUNDED)) {
            b.setBounded(OffsetsInitializer.latest());
        }
        return b.build();
    }

    static KafkaSink<EncodedResult> sink(Configuration conf, String bootstrap) {
        return KafkaSink.<EncodedResult>builder()
                .setBootstrapServers(bootstrap)
                .setRecordSerializer(new ResultsSerializationSchema(conf.get(JobOptions.RESULTS_TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(JobOptions.transactionalIdPrefix(conf))
                .setKafkaProducerConfig(KafkaClientProperties.merge(Map.of("max.request.size", Integer.toString(MAX_RECORD_BYTES)),
                        JobOptions.kafkaClientProperties(conf),
                        Map.of("transaction.timeout.ms", Long.toString(conf.get(JobOptions.TRANSACTION_TIMEOUT).toMillis()))))
                .build();
    }
}
