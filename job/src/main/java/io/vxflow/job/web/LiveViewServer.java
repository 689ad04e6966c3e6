package io.vxflow.job.web;

import static org.apache.flink.configuration.ConfigOptions.key;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vxflow.connectors.results.Png;
import io.vxflow.operators.stages.LiveMosaics;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;

/**
 * The live view of a local run ({@code vxflow demo|run --web PORT}): a page on {@code
 * http://localhost:PORT/} with every slot's mosaic (the streams with their boxes, from {@link
 * LiveMosaics}) and a table of per-stream fps, latency and drops (from the job's per-stream metrics,
 * through {@link LiveStreamMetrics}), refreshed twice a second by the page itself. JSON at {@code
 * /api/state}, each mosaic as PNG at {@code /mosaic/<key>.png} (encoded here, once per picture, off
 * the task thread). Listens on the loopback interface only: the mosaics show what the cameras see.
 * Owns the HTTP server and its two threads; {@link #close()} stops them.
 */
public final class LiveViewServer implements AutoCloseable {
    public static final ConfigOption<Integer> PORT = key("vxflow.web.port")
            .intType()
            .noDefaultValue()
            .withDescription("Serve the live view (mosaics and per-stream table) of a local run (run, demo) on this port of localhost.");

    /** The live-table reporter's name in Flink's configuration: {@code metrics.reporter.vxflowlive.*}. */
    static final String REPORTER = "vxflowlive";

    private final HttpServer server;
    private final ExecutorService threads;
    private final Map<String, Encoded> png = new ConcurrentHashMap<>();
    private final byte[] page;

    private record Encoded(long sequence, byte[] bytes) {}

    private LiveViewServer(int port) throws IOException {
        try (InputStream in = LiveViewServer.class.getResourceAsStream("live.html")) {
            page = in.readAllBytes();
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "vxflow-live-view");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
    }

    /** Starts the server on {@code conf}'s {@link #PORT}; null when none is set. */
    public static LiveViewServer start(Configuration conf) {
        Integer port = conf.getOptional(PORT).orElse(null);
        if (port == null) {
            return null;
        }
        try {
            return new LiveViewServer(port);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot serve the live view on port " + port + " (" + e.getMessage() + ")");
        }
    }

    /**
     * The local cluster's configuration for the live view: the reporter that feeds its table, when
     * {@link #PORT} is set; else empty.
     */
    public static Configuration localCluster(Configuration conf) {
        Configuration cluster = new Configuration();
        if (conf.getOptional(PORT).isPresent()) {
            cluster.setString(ConfigConstants.METRICS_REPORTER_PREFIX + REPORTER + "." + MetricOptions.REPORTER_FACTORY_CLASS.key(),
                    LiveStreamMetrics.Factory.class.getName());
        }
        return cluster;
    }

    public String url() {
        return "http://localhost:" + server.getAddress().getPort() + "/";
    }

    private void serve(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath();
            if (!"GET".equals(x.getRequestMethod())) {
                send(x, 405, "text/plain", "GET only".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/")) {
                send(x, 200, "text/html; charset=utf-8", page);
            } else if (path.equals("/api/state")) {
                send(x, 200, "application/json", LiveState.json(LiveMosaics.all(), LiveStreamMetrics.rows()).getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/mosaic/") && path.endsWith(".png")) {
                LiveMosaics.Mosaic m = LiveMosaics.get(path.substring("/mosaic/".length(), path.length() - ".png".length()));
                if (m == null) {
                    send(x, 404, "text/plain", "no such mosaic".getBytes(StandardCharsets.UTF_8));
                } else {
                    send(x, 200, "image/png", encoded(m));
                }
            } else {
                send(x, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException | UncheckedIOException e) {
            // the browser went away mid-answer
        }
    }

    private byte[] encoded(LiveMosaics.Mosaic m) {
        Encoded e = png.get(m.key());
        if (e == null || e.sequence() != m.sequence()) {
            e = new Encoded(m.sequence(), Png.encodeRgb(m.width(), m.height(), m.rgb()));
            png.put(m.key(), e);
        }
        return e.bytes();
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LiveViewServer[%s]", url());
    }
}
