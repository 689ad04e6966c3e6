package io.vxflow.job.cli;

import io.vxflow.job.JobOptions;
import io.vxflow.job.PrometheusEndpoint;
import io.vxflow.job.web.LiveViewServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/** The pipeline flags {@code run} and {@code demo} share, mapped onto {@link JobOptions}. */
public final class PipelineFlags {
    @Option(names = "--model", paramLabel = "FILE", description = "ONNX model; 'squares' is the built-in test detector.")
    String model;

    @Option(names = "--backend", paramLabel = "auto|gpu|cpu", description = "Where the chain runs (default auto).")
    String backend;

    @Option(names = "--parallelism", paramLabel = "N", description = "Task slots running the chain (each one CUDA stream).")
    Integer parallelism;

    @Option(names = "--batch", paramLabel = "N", description = "Images per inference batch across a slot's streams (default 8).")
    Integer batch;

    @Option(names = "--max-wait-ms", paramLabel = "MS", description = "Longest a frame waits for its batch (default 10).")
    Long maxWaitMillis;

    @Option(names = "--precision", paramLabel = "fp16|fp32", description = "GPU inference precision (default fp16).")
    String precision;

    @Option(names = "--confidence", paramLabel = "P", description = "Minimum detection score (default 0.25).")
    Float confidence;

    @Option(names = "--crops", paramLabel = "PX", description = "Put a PX-square PNG thumbnail of each detection in the results.")
    Integer crops;

    @Option(names = "--mosaic", paramLabel = "TILES", description = "Draw up to TILES streams per slot with their boxes into a mosaic.")
    Integer mosaic;

    @Option(names = "--preview-dir", paramLabel = "DIR", description = "Write the mosaic there as mosaic-<slot>.png once a second.")
    Path previewDir;

    @Option(names = "--prometheus-port", paramLabel = "P", description = "Serve Flink's metrics for Prometheus on port P of the local cluster (on a cluster: its own configuration).")
    Integer prometheusPort;

    @Option(names = "--web", paramLabel = "PORT", description = "Serve a live view on http://localhost:PORT/: the mosaic with boxes and per-stream fps, latency and drops (local runs; turns the mosaic on).")
    Integer web;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Set any option (see the README), e.g. -Dvxflow.detect.iou=0.5; a flag given explicitly wins.")
    Map<String, String> properties = new LinkedHashMap<>();

    /**
     * Writes the flags into {@code conf}: -D values first, then the flags given explicitly, which
     * win. A flag that is not given leaves the option alone, so that -D wins over its default.
     */
    void applyTo(Configuration conf) {
        properties.forEach(conf::setString);
        // checked, and stored one key each so that Flink's printing hides secret values
        JobOptions.setKafkaClientProperties(conf, JobOptions.kafkaClientProperties(conf));
        if (model != null) {
            if (!model.equals("squares") && !Files.isRegularFile(Path.of(model))) {
                throw new UserError("model file " + model + " does not exist");
            }
            conf.set(JobOptions.MODEL, model);
        }
        if (backend != null) {
            conf.set(JobOptions.BACKEND, backend);
        }
        if (parallelism != null) {
            require(parallelism > 0, "--parallelism must be positive");
            conf.set(JobOptions.PARALLELISM, parallelism);
        }
        if (batch != null) {
            require(batch > 0, "--batch must be positive");
            conf.set(JobOptions.BATCH_SIZE, batch);
        }
        if (maxWaitMillis != null) {
            require(maxWaitMillis >= 0, "--max-wait-ms must not be negative");
            conf.set(JobOptions.BATCH_WAIT, Duration.ofMillis(maxWaitMillis));
        }
        if (precision != null) {
            conf.set(JobOptions.PRECISION, precision);
        }
        if (confidence != null) {
            conf.set(JobOptions.CONFIDENCE, confidence);
        }
        if (crops != null) {
            conf.set(JobOptions.CROP_SIZE, crops);
        }
        if (mosaic != null) {
            conf.set(JobOptions.MOSAIC_TILES, mosaic);
        }
        if (previewDir != null) {
            conf.set(JobOptions.PREVIEW_DIR, previewDir.toString());
            if (mosaic == null) {
                conf.set(JobOptions.MOSAIC_TILES, 16);
            }
        }
        if (web != null) {
            require(web > 0 && web <= 65535, "--web must be a port, 1..65535");
            conf.set(LiveViewServer.PORT, web);
            if (mosaic == null && previewDir == null) {
                conf.set(JobOptions.MOSAIC_TILES, 16);
            }
        }
        if (prometheusPort != null) {
            require(prometheusPort > 0 && prometheusPort <= 65535, "--prometheus-port must be 1..65535");
            conf.set(PrometheusEndpoint.PORT, prometheusPort);
        }
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }
}
