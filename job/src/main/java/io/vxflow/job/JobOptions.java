package io.vxflow.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.vxflow.connectors.kafka.KafkaClientProperties;
import io.vxflow.operators.chain.FrameChain;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Every setting of the vxflow job, as typed Flink options with defaults and descriptions. The
 * command line sets them from flags; {@code -Dkey=value} sets any of them directly.
 */
public final class JobOptions {
    private JobOptions() {}

    public static final ConfigOption<String> BOOTSTRAP = key("vxflow.kafka.bootstrap").stringType().noDefaultValue()
            .withDescription("Kafka bootstrap servers, host:port[,host:port].");
    public static final ConfigOption<String> FRAMES_TOPIC = key("vxflow.kafka.frames-topic").stringType().defaultValue("frames")
            .withDescription("Topic of encoded access units (see the README's wire format).");
    public static final ConfigOption<String> RESULTS_TOPIC = key("vxflow.kafka.results-topic").stringType().defaultValue("results")
            .withDescription("Topic the per-frame JSON results go to, exactly once.");
    public static final ConfigOption<String> GROUP_ID = key("vxflow.kafka.group-id").stringType().defaultValue("vxflow")
            .withDescription("Consumer group of the frames source (offsets live in Flink checkpoints; committed for monitoring).");
    public static final ConfigOption<String> STARTING_OFFSETS = key("vxflow.kafka.starting-offsets").stringType().defaultValue("committed")
            .withDescription("Where a job without a checkpoint starts: committed (falling back to earliest), earliest or latest.");
    public static final ConfigOption<Boolean> BOUNDED = key("vxflow.kafka.bounded").booleanType().defaultValue(false)
            .withDescription("Stop at the end offsets the topic has when the job starts (reprocess a topic, then finish).");
    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX = key("vxflow.kafka.transactional-id-prefix").stringType()
            .noDefaultValue().withDescription("Prefix of the results sink's Kafka transactional ids; unique per job and stable across its restarts. "
                    + "Default: vxflow-<group id>-<frames topic>-<results topic>, so two jobs differ in one of those or set this.");
    public static final ConfigOption<Duration> TRANSACTION_TIMEOUT = key("vxflow.kafka.transaction-timeout").durationType()
            .defaultValue(Duration.ofMinutes(15)).withDescription("Kafka transaction timeout of the results sink; at most the broker's transaction.max.timeout.ms.");
    /** Read it with {@link #kafkaClientProperties}, write it with {@link #setKafkaClientProperties}. */
    public static final ConfigOption<Map<String, String>> KAFKA_PROPERTIES = key("vxflow.kafka.property").mapType().defaultValue(Map.of())
            .withDescription("Kafka client properties (security, tuning) for every Kafka client of vxflow: the frames source, the results sink, "
                    + "the producer, the demo's results reader. One per key: -Dvxflow.kafka.property.security.protocol=SASL_SSL. "
                    + "They win over vxflow's tuning defaults; what vxflow sets from its own options (bootstrap.servers, group.id, "
                    + "transactional.id, transaction.timeout.ms, auto.offset.reset, serializers) is refused.");

    public static final ConfigOption<String> MODEL = key("vxflow.model").stringType().noDefaultValue()
            .withDescription("Path of the ONNX model, or 'squares' for the built-in known-answer detector.");
    public static final ConfigOption<String> BACKEND = key("vxflow.backend").stringType().defaultValue("auto")
            .withDescription("auto, gpu or cpu; auto picks the GPU where a CUDA device is usable, per TaskManager.");
    public static final ConfigOption<Integer> PARALLELISM = key("vxflow.parallelism").intType().defaultValue(-1)
            .withDescription("Task slots running the frame chain (one CUDA stream and context each); -1: the environment's default.");
    public static final ConfigOption<Integer> MAX_PARALLELISM = key("vxflow.max-parallelism").intType()
            .defaultValue(FrameChain.Options.DEFAULT_MAX_PARALLELISM)
            .withDescription("Key groups of the frame chain: the most slots the job can ever be scaled to. Streams are spread over slots by "
                    + "key group and keep theirs across restarts and rescaling; a checkpoint restores only with the same value.");
    public static final ConfigOption<Integer> BATCH_SIZE = key("vxflow.batch.max-size").intType().defaultValue(8)
            .withDescription("Images per inference batch, gathered across the slot's streams.");
    public static final ConfigOption<Duration> BATCH_WAIT = key("vxflow.batch.max-wait").durationType().defaultValue(Duration.ofMillis(10))
            .withDescription("Longest a frame waits for its batch to fill.");
    public static final ConfigOption<String> PRECISION = key("vxflow.precision").stringType().defaultValue("fp16")
            .withDescription("GPU inference precision: fp16 or fp32 (the CPU backend computes in fp32).");
    public static final ConfigOption<Float> CONFIDENCE = key("vxflow.detect.confidence").floatType().defaultValue(0.25f)
            .withDescription("Detections below this score are dropped.");
    public static final ConfigOption<Float> IOU = key("vxflow.detect.iou").floatType().defaultValue(0.45f)
            .withDescription("Non-maximum suppression IoU threshold.");
    public static final ConfigOption<Integer> MAX_DETECTIONS = key("vxflow.detect.max-detections").intType().defaultValue(100)
            .withDescription("Detections kept per frame.");
    public static final ConfigOption<Integer> TOP_K = key("vxflow.classify.top-k").intType().defaultValue(5)
            .withDescription("Classes listed per frame for classifier models.");
    public static final ConfigOption<Integer> CROP_SIZE = key("vxflow.crop.size").intType().defaultValue(0)
            .withDescription("Side of the per-detection thumbnails put in results (PNG, base64); 0 turns cropping off.");
    public static final ConfigOption<Integer> CROP_MAX = key("vxflow.crop.max").intType().defaultValue(8)
            .withDescription("Thumbnails per frame.");
    public static final ConfigOption<Integer> MOSAIC_TILES = key("vxflow.mosaic.tiles").intType().defaultValue(0)
            .withDescription("Streams per slot drawn with their boxes into a mosaic; 0 turns compose off.");
    public static final ConfigOption<Integer> MOSAIC_TILE_WIDTH = key("vxflow.mosaic.tile-width").intType().defaultValue(320)
            .withDescription("Width of a mosaic tile in pixels (tiles are 16:9).");
    public static final ConfigOption<String> PREVIEW_DIR = key("vxflow.preview.dir").stringType().noDefaultValue()
            .withDescription("Directory the mosaic is written to as mosaic-<slot>.png.");
    public static final ConfigOption<Duration> PREVIEW_INTERVAL = key("vxflow.preview.interval").durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("How often the mosaic preview is written.");
    public static final ConfigOption<Duration> IDLE_FLUSH = key("vxflow.decode.idle-flush").durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("A stream silent this long has its decoder drained, so frames held for B-frame reordering come out; "
                    + "a stream that goes on mid-GOP re-decodes its GOP first. A stream silent in the middle of a B-frame group "
                    + "(frames it has not sent would precede the held ones) keeps them until it goes on or is evicted, so that a "
                    + "stall costs no frames. 0 turns it off.");
    public static final ConfigOption<Duration> EVICT_AFTER = key("vxflow.decode.evict-after").durationType().defaultValue(Duration.ofMinutes(10))
            .withDescription("A stream silent this long has its decoder (NVDEC session, frame pool) closed; it re-opens when the stream returns.");
    public static final ConfigOption<Duration> STATE_EXPIRY = key("vxflow.decode.state-expiry").durationType().defaultValue(Duration.ofDays(1))
            .withDescription("A stream silent this long has its checkpointed position deleted too (it returns with its frame numbering "
                    + "started again); 0 keeps positions forever.");
    public static final ConfigOption<Long> DECODE_MAX_PIXELS = key("vxflow.decode.max-pixels").longType().defaultValue(4096L * 2304)
            .withDescription("Largest picture a stream may declare, in luma samples as the decoder allocates them (coded width times "
                    + "height), read from the SPS of each keyframe before any decoder sees it; a keyframe claiming more is counted "
                    + "(badInput.frame-too-large) and the stream waits for a keyframe that fits. Default: 4096x2304.");
    public static final ConfigOption<MemorySize> DECODE_MAX_ACCESS_UNIT = key("vxflow.decode.max-access-unit-bytes").memoryType()
            .defaultValue(MemorySize.ofMebiBytes(8)).withDescription("Largest access unit (one Kafka record's value); a larger one is "
                    + "counted (badInput.access-unit-too-large) and dropped unread, and its stream waits for its next keyframe.");
    public static final ConfigOption<Integer> DECODE_MAX_STREAMS_PER_SLOT = key("vxflow.decode.max-streams-per-slot").intType()
            .defaultValue(256).withDescription("Decoders a task slot keeps open at once; a stream that needs one beyond it closes the "
                    + "least recently used stream's decoder first (metric streamsClosedForCap), which resumes at its next keyframe.");
    public static final ConfigOption<String> DECODE_ENGINE = key("vxflow.decode.engine").stringType().defaultValue("nvdec")
            .withDescription("GPU backend: 'nvdec', or 'cpu' to decode with FFmpeg on the CPU and upload each frame once (the conventional "
                    + "pipeline, for comparison).");
    public static final ConfigOption<Integer> DECODE_WORKERS = key("vxflow.decode.workers").intType().defaultValue(0)
            .withDescription("Decode worker threads per TaskManager, shared by its slots: as many streams decode at once. 0: 32 on the GPU "
                    + "backend (enough to keep NVDEC's engines busy), the CPU count on the CPU backend.");
    public static final ConfigOption<Integer> DECODE_MAX_IN_FLIGHT = key("vxflow.decode.max-in-flight").intType().defaultValue(0)
            .withDescription("Access units a slot may have on the decode workers at once; beyond it the slot applies backpressure. "
                    + "0: four per worker, at least 64.");
    public static final ConfigOption<String> OVERLOAD_POLICY = key("vxflow.overload.policy").stringType().defaultValue("queue")
            .withDescription("'queue' processes every frame, however late; 'drop' gives frames later than vxflow.overload.max-lag "
                    + "their result without analysis (marked \"dropped\":\"overload\"), skipping whole GOPs undecoded when a keyframe "
                    + "arrives that late, so latency stays bounded when input exceeds capacity.");
    public static final ConfigOption<Duration> OVERLOAD_MAX_LAG = key("vxflow.overload.max-lag").durationType().defaultValue(Duration.ofSeconds(1))
            .withDescription("With the drop policy: how late (Kafka ingest to now) a frame may be before it is dropped.");
    public static final ConfigOption<Integer> INFER_INTERVAL = key("vxflow.infer.interval").intType().defaultValue(1)
            .withDescription("Analyse every Nth frame of a stream (by its frame index: 0, N, 2N, ...); the others are decoded, since later "
                    + "frames reference them, but skip every stage after decode and get their result marked \"dropped\":\"interval\". "
                    + "1 analyses every frame; vxflow.infer.per-stream-interval overrides it per stream.");
    public static final ConfigOption<String> INFER_PER_STREAM_INTERVAL = key("vxflow.infer.per-stream-interval").stringType().defaultValue("")
            .withDescription("Per-stream inference intervals, 'pattern=N;pattern=N', e.g. 'lobby-*=5;dock-?=2': the first glob "
                    + "pattern that matches the whole stream id sets its N (* any characters, ? one, [a-z] and [!a-z] sets); "
                    + "streams no pattern matches use vxflow.infer.interval.");
    public static final ConfigOption<String> CHECKPOINT_DIR = key("vxflow.checkpoint.dir").stringType().noDefaultValue()
            .withDescription("Keep checkpoints in this directory (any Flink file system URI, or a local path), retained when the job is "
                    + "cancelled or fails; a local 'vxflow run' started again with the same directory resumes from the latest one.");
    public static final ConfigOption<Integer> DECODE_THREADS = key("vxflow.decode.threads").intType().defaultValue(1)
            .withDescription("FFmpeg threads per software decoder (CPU backend, or --decode cpu).");
    public static final ConfigOption<Integer> INFER_THREADS = key("vxflow.infer.threads").intType().defaultValue(1)
            .withDescription("CPU backend: ONNX Runtime threads per inference.");
    public static final ConfigOption<Integer> RESTART_ATTEMPTS = key("vxflow.restart.attempts").intType().defaultValue(10)
            .withDescription("Restarts after failures (exponential backoff up to 1 min) before the job fails with the cause; -1 keeps Flink's own restart configuration.");
    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("vxflow.checkpoint.interval").durationType()
            .defaultValue(Duration.ofSeconds(10)).withDescription("Checkpoint interval; results become visible to read_committed consumers at each checkpoint.");

    /**
     * The Kafka client properties every Kafka client of the job gets ({@link #KAFKA_PROPERTIES}), as
     * a serializable map for operators that open a client of their own; build the client's
     * configuration from it with {@link KafkaClientProperties#merge}.
     *
     * @throws IllegalArgumentException naming a property vxflow sets itself
     */
    public static HashMap<String, String> kafkaClientProperties(ReadableConfig conf) {
        Map<String, String> properties;
        try {
            properties = conf.get(KAFKA_PROPERTIES);
        } catch (IllegalArgumentException e) {
            // Flink's message repeats the value, which may hold a password
            throw new IllegalArgumentException(KAFKA_PROPERTIES.key() + " is not a map of Kafka client properties; set one property each: "
                    + KAFKA_PROPERTIES.key() + ".<key>=<value>");
        }
        return KafkaClientProperties.check(properties);
    }

    /**
     * Replaces the Kafka client properties in {@code conf}. They are stored one key each
     * ({@code vxflow.kafka.property.<key>}), never as one map value: Flink hides the values of
     * sensitive keys ({@code ...password}, {@code ...jaas.config}) when it prints a configuration,
     * and it can only see those key names in this form.
     */
    public static void setKafkaClientProperties(Configuration conf, Map<String, String> properties) {
        HashMap<String, String> checked = KafkaClientProperties.check(properties);
        conf.removeConfig(KAFKA_PROPERTIES);
        checked.forEach((k, v) -> conf.setString(KAFKA_PROPERTIES.key() + "." + k, v));
    }

    /** The results sink's transactional id prefix: the configured one, else derived from the group id and both topics. */
    public static String transactionalIdPrefix(ReadableConfig conf) {
        return conf.getOptional(TRANSACTIONAL_ID_PREFIX)
                .orElse("vxflow-" + conf.get(GROUP_ID) + "-" + conf.get(FRAMES_TOPIC) + "-" + conf.get(RESULTS_TOPIC));
    }
}
