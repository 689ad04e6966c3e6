package io.vxflow.connectors.broker;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Kafka's own logging at WARN unless the logging configuration says otherwise. A Kafka
 * server logs about 1,500 lines at INFO while it starts and stops (every configuration value,
 * every partition it loads); inside {@code vxflow demo} that buries the job's output.
 *
 * <p>Acts only on a Kafka logger that logs INFO, that the active log4j2 configuration does not
 * name, and only when log4j2 (the project's backend behind slf4j) is present: naming
 * {@code org.apache.kafka} or {@code kafka} in {@code log4j2.xml} keeps the level given there.
 * log4j-core is reached by reflection because it is a runtime-only dependency here (and
 * compiling against it makes javac warn about annotations it cannot find). Owns nothing.
 */
final class KafkaLogLevels {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaLogLevels.class);

    /** The loggers of the Kafka server (Scala core, Java modules) and of its state changes. */
    private static final List<String> KAFKA_LOGGERS = List.of("kafka", "org.apache.kafka", "state.change.logger");

    private KafkaLogLevels() {}

    static void quietUnlessConfigured() {
        List<String> verbose = KAFKA_LOGGERS.stream()
                .filter(name -> LoggerFactory.getLogger(name).isInfoEnabled())
                .collect(Collectors.toList());
        if (verbose.isEmpty()) {
            return;
        }
        try {
            setWarnUnlessNamed(verbose);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            LOG.debug("log4j2 is not the logging backend; Kafka's log levels stay as they are", e);
        }
    }

    private static void setWarnUnlessNamed(List<String> loggers) throws ReflectiveOperationException {
        Object context = log4jClass("LogManager").getMethod("getContext", boolean.class).invoke(null, false);
        Class<?> coreContext = log4jClass("core.LoggerContext");
        if (!coreContext.isInstance(context)) {
            return;
        }
        Object configuration = coreContext.getMethod("getConfiguration").invoke(context);
        Map<?, ?> named = (Map<?, ?>) log4jClass("core.config.Configuration").getMethod("getLoggers")
                .invoke(configuration);
        Class<?> level = log4jClass("Level");
        Method setLevel = log4jClass("core.config.Configurator").getMethod("setLevel", String.class, level);
        Object warn = level.getField("WARN").get(null);
        for (String logger : loggers) {
            if (!named.containsKey(logger)) {
                setLevel.invoke(null, logger, warn);
            }
        }
    }

    private static Class<?> log4jClass(String name) throws ClassNotFoundException {
        return Class.forName("org.apache.logging.log4j." + name, true, KafkaLogLevels.class.getClassLoader());
    }
}
