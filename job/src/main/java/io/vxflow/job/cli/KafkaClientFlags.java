package io.vxflow.job.cli;

import io.vxflow.connectors.kafka.KafkaClientProperties;
import io.vxflow.connectors.kafka.KafkaPropertiesFile;
import io.vxflow.job.JobOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Option;

/**
 * {@code --kafka-property} and {@code --kafka-config}: the Kafka client properties (security,
 * tuning) of every Kafka client a command opens. A file's properties come first, then each
 * {@code --kafka-property}; both win over {@code -Dvxflow.kafka.property.<key>}. Messages about
 * them name keys, never values.
 */
public final class KafkaClientFlags {
    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE",
            description = "A Kafka client property for every Kafka client (repeatable), e.g. security.protocol=SASL_SSL; wins over --kafka-config.")
    List<String> assignments = new ArrayList<>();

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Kafka client properties from a Java properties file (like the client.properties of Kafka's tools); keeps secrets off the command line.")
    Path file;

    /** The file's properties, then each --kafka-property; checked. */
    Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        try {
            if (file != null) {
                p.putAll(KafkaPropertiesFile.load(file));
            }
            for (int i = 0; i < assignments.size(); i++) {
                String a = assignments.get(i);
                int eq = a.indexOf('=');
                if (eq < 0) {
                    // the argument may be a misplaced secret: it is not repeated
                    throw new UserError("--kafka-property takes KEY=VALUE; the " + ordinal(i + 1) + " one has no '='");
                }
                p.put(a.substring(0, eq), a.substring(eq + 1));
            }
            KafkaClientProperties.check(p);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        return p;
    }

    /** Adds the given properties to those {@code conf} has (from -D), winning over them. */
    void applyTo(Configuration conf) {
        Map<String, String> merged = new LinkedHashMap<>(JobOptions.kafkaClientProperties(conf));
        merged.putAll(properties());
        JobOptions.setKafkaClientProperties(conf, merged);
    }

    /** One line for the console: the properties with their secrets hidden, or null when there are none. */
    static String describe(Map<String, String> properties) {
        return properties.isEmpty() ? null : "kafka client properties: " + KafkaClientProperties.describe(properties);
    }

    private static String ordinal(int n) {
        return n + (n % 100 >= 11 && n % 100 <= 13 ? "th" : n % 10 == 1 ? "st" : n % 10 == 2 ? "nd" : n % 10 == 3 ? "rd" : "th");
    }
}
