package io.vxflow.job.cli;

import io.vxflow.connectors.kafka.KafkaClientProperties;
import io.vxflow.connectors.producer.UrlCredentials;
import io.vxflow.job.JobOptions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Hides the secrets among command-line arguments in a message that may repeat them: picocli's own
 * messages quote unknown or unmatched arguments as they are. A secret is the value of a secret
 * Kafka client property ({@code -Dvxflow.kafka.property.sasl.jaas.config=...},
 * {@code --kafka-property ssl.key.password=...}, see {@link KafkaClientProperties#isSecret}), of
 * any {@code -D} option whose key names a secret, or the password of a URL. Owns nothing.
 */
final class SecretArguments {
    private static final String PROPERTY_PREFIX = JobOptions.KAFKA_PROPERTIES.key() + ".";

    private SecretArguments() {}

    /** {@code message} with every secret of {@code args} replaced by {@code ***}. */
    static String hide(String message, String[] args) {
        if (message == null || args == null) {
            return message;
        }
        List<String> secrets = new ArrayList<>();
        for (String arg : args) {
            UrlCredentials.password(arg).ifPresent(secrets::add);
            String assignment = arg.startsWith("-D") ? arg.substring(2) : arg.startsWith("--") ? arg.substring(arg.indexOf('=') + 1) : arg;
            int eq = assignment.indexOf('=');
            if (eq > 0) {
                String key = assignment.substring(0, eq);
                if (KafkaClientProperties.isSecret(key.startsWith(PROPERTY_PREFIX) ? key.substring(PROPERTY_PREFIX.length()) : key)) {
                    secrets.add(assignment.substring(eq + 1));
                }
            }
        }
        secrets.sort(Comparator.comparingInt(String::length).reversed()); // a secret inside another goes last
        String out = message;
        for (String secret : secrets) {
            if (!secret.isEmpty()) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }
}
