package io.vxflow.job.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything a test's process writes while it runs: every log event at DEBUG and above (message
 * and stack trace; Kafka's and Flink's loggers included, which the test configuration keeps at
 * WARN) and everything written to System.out and System.err. The console appender is held at WARN
 * meanwhile so that the test's own output stays readable. {@link #close()} puts everything back.
 */
final class OutputCapture implements AutoCloseable {
    /** The loggers the test configuration turns down; root is lowered too. */
    private static final List<String> QUIETED = List.of("org.apache.kafka", "kafka", "state.change.logger", "org.apache.flink",
            "org.apache.flink.runtime.metrics", "org.apache.flink.metrics");

    private final StringBuffer text = new StringBuffer();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final Map<String, Level> levels = new HashMap<>();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private Appender appender;
    private Appender console;

    static OutputCapture start() {
        OutputCapture c = new OutputCapture();
        c.install();
        return c;
    }

    private void install() {
        Configuration config = context.getConfiguration();
        appender = new AbstractAppender("output-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringBuilder line = new StringBuilder(event.getLevel() + " " + event.getLoggerName() + " "
                        + event.getMessage().getFormattedMessage() + "\n");
                if (event.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    event.getThrown().printStackTrace(new PrintWriter(trace));
                    line.append(trace);
                }
                text.append(line);
            }
        };
        appender.start();
        config.addAppender(appender);
        LoggerConfig root = config.getRootLogger();
        console = root.getAppenders().get("console");
        if (console != null) {
            root.removeAppender("console");
            root.addAppender(console, Level.WARN, null);
        }
        root.addAppender(appender, Level.ALL, null);
        levels.put(root.getName(), root.getLevel());
        root.setLevel(Level.DEBUG);
        for (String name : QUIETED) {
            LoggerConfig logger = config.getLoggers().get(name);
            if (logger != null) {
                levels.put(name, logger.getLevel());
                logger.setLevel(Level.DEBUG);
            }
        }
        context.updateLoggers();
        System.setOut(new PrintStream(new Tee(out, text), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, text), true, StandardCharsets.UTF_8));
    }

    String text() {
        System.out.flush();
        System.err.flush();
        return text.toString();
    }

    @Override
    public void close() {
        System.setOut(out);
        System.setErr(err);
        Configuration config = context.getConfiguration();
        LoggerConfig root = config.getRootLogger();
        root.removeAppender(appender.getName());
        if (console != null) {
            root.removeAppender("console");
            root.addAppender(console, null, null);
        }
        levels.forEach((name, level) -> (name.equals(root.getName()) ? root : config.getLoggers().get(name)).setLevel(level));
        context.updateLoggers();
        appender.stop();
    }
}
