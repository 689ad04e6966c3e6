package io.vxflow.connectors.kafka;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * The Kafka client properties a user gives vxflow (security, tuning) and how every Kafka client
 * vxflow opens takes them: the job's source and sink, {@code vxflow produce}, the demo's results
 * reader, and any operator that opens a consumer of its own. Owns nothing.
 *
 * <p>One client's configuration is built by {@link #merge}, in this order, later winning: the
 * client's own defaults (tuning such as {@code max.request.size}), then the user's properties, then
 * what the client must own to be correct (serializers, {@code isolation.level=read_committed} where
 * results are checked, Flink's exactly-once settings). Properties that vxflow sets from its own
 * options are refused with a message naming the option ({@link #check}): {@code bootstrap.servers},
 * {@code group.id}, {@code transactional.id}, {@code transaction.timeout.ms},
 * {@code auto.offset.reset} and the (de)serializers.
 *
 * <p>Secrets ({@link #isSecret}): Kafka's password-typed properties ({@code sasl.jaas.config},
 * {@code ssl.*.password}, {@code ssl.keystore.key}, ...), and any key that names a password, secret,
 * token, credential or JAAS configuration, or that Flink hides in its own logs. vxflow never prints
 * their values ({@link #describe}); Kafka's and Flink's own logs hide them too.
 */
public final class KafkaClientProperties {
    private static final Map<String, String> SET_BY_VXFLOW = setByVxflow();
    private static final Set<String> KAFKA_PASSWORDS = kafkaPasswordKeys();
    private static final String[] SECRET_WORDS = {"password", "secret", "token", "credential", "jaas", "user.info", "apikey", "api.key"};

    private KafkaClientProperties() {}

    private static Map<String, String> setByVxflow() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bootstrap.servers", "--bootstrap (vxflow.kafka.bootstrap)");
        m.put("group.id", "--group-id (vxflow.kafka.group-id)");
        m.put("transactional.id", "--transactional-id-prefix (vxflow.kafka.transactional-id-prefix)");
        m.put("transaction.timeout.ms", "vxflow.kafka.transaction-timeout");
        m.put("auto.offset.reset", "--from (vxflow.kafka.starting-offsets)");
        for (String k : new String[] {"key.serializer", "value.serializer", "key.deserializer", "value.deserializer"}) {
            m.put(k, null); // fixed by the wire format
        }
        return m;
    }

    private static Set<String> kafkaPasswordKeys() {
        return Stream.of(ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef())
                .flatMap(def -> def.configKeys().values().stream())
                .filter(key -> key.type == ConfigDef.Type.PASSWORD)
                .map(key -> key.name)
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * {@code user} as a serializable map, checked.
     *
     * @throws IllegalArgumentException naming the first key that is empty or that vxflow sets itself
     *     (and the option to use instead); never a value
     */
    public static HashMap<String, String> check(Map<String, String> user) {
        for (Map.Entry<String, String> e : user.entrySet()) {
            String key = e.getKey();
            if (key == null || key.isBlank() || !key.equals(key.strip())) {
                throw new IllegalArgumentException("a Kafka client property needs a name without spaces around it, got '" + key + "'");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("the Kafka client property '" + key + "' has no value");
            }
            if (SET_BY_VXFLOW.containsKey(key)) {
                String instead = SET_BY_VXFLOW.get(key);
                throw new IllegalArgumentException("the Kafka client property '" + key + "' is set by vxflow"
                        + (instead == null ? " (the wire format fixes it)" : ": use " + instead));
            }
        }
        return new HashMap<>(user);
    }

    /**
     * The configuration of one Kafka client: {@code defaults}, then {@code user} (checked), then
     * {@code owned}; later wins.
     */
    public static Properties merge(Map<String, String> defaults, Map<String, String> user, Map<String, String> owned) {
        Properties p = new Properties();
        p.putAll(defaults);
        p.putAll(check(user));
        p.putAll(owned);
        return p;
    }

    /** Whether the value of the Kafka client property {@code key} is a secret, never to be shown. */
    public static boolean isSecret(String key) {
        if (KAFKA_PASSWORDS.contains(key) || GlobalConfiguration.isSensitive(key)) {
            return true;
        }
        String k = key.toLowerCase(Locale.ROOT);
        for (String word : SECRET_WORDS) {
            if (k.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** {@code key=value, ...} sorted by key, every secret value shown as {@code ***}; for messages. */
    public static String describe(Map<String, String> properties) {
        return new TreeMap<>(properties).entrySet().stream()
                .map(e -> e.getKey() + "=" + (isSecret(e.getKey()) ? "***" : e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
