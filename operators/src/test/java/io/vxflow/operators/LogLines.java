package io.vxflow.operators;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines one logger (and the loggers under it) writes while a test runs, from every thread, as
 * {@code LEVEL message}, with whether a stack trace came with them. {@link #close()} takes the
 * capture away again.
 */
public final class LogLines implements AutoCloseable {
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final List<Throwable> thrown = Collections.synchronizedList(new ArrayList<>());
    private final String name;
    private final AbstractAppender appender;

    private LogLines(String name) {
        this.name = name;
        appender = new AbstractAppender("log-lines-" + name, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    thrown.add(event.getThrown());
                }
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig logger = new LoggerConfig(name, Level.INFO, true);
        logger.addAppender(appender, null, null);
        config.addLogger(name, logger);
        context.updateLoggers();
    }

    /** Captures what {@code logger}'s package or class logs, at INFO and above. */
    public static LogLines of(String logger) {
        return new LogLines(logger);
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Exceptions logged with a stack trace. */
    public List<Throwable> thrown() {
        synchronized (thrown) {
            return List.copyOf(thrown);
        }
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(name);
        context.updateLoggers();
        appender.stop();
    }
}
