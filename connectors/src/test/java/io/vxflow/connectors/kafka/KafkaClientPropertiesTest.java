package io.vxflow.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How a client's configuration is put together from defaults, the user's properties and what it owns. */
class KafkaClientPropertiesTest {

    @Test
    void userPropertiesWinOverDefaultsAndTheClientsOwnWinOverBoth() {
        Properties p = KafkaClientProperties.merge(
                Map.of("max.request.size", "16777216", "linger.ms", "5"),
                Map.of("linger.ms", "50", "security.protocol", "SASL_SSL", "isolation.level", "read_uncommitted"),
                Map.of("isolation.level", "read_committed"));
        assertThat(p).containsEntry("max.request.size", "16777216").containsEntry("linger.ms", "50")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("isolation.level", "read_committed").hasSize(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bootstrap.servers", "group.id", "transactional.id", "transaction.timeout.ms", "auto.offset.reset",
        "key.serializer", "value.deserializer"})
    void whatVxflowSetsFromItsOwnOptionsIsRefused(String key) {
        assertThatThrownBy(() -> KafkaClientProperties.check(Map.of(key, "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("the Kafka client property '" + key + "' is set by vxflow");
        assertThatThrownBy(() -> KafkaClientProperties.check(Map.of("group.id", "x"))).hasMessageEndingWith("use --group-id (vxflow.kafka.group-id)");
    }

    @Test
    void namesMustBeNamesAndTheMapIsSerializable() throws Exception {
        assertThatThrownBy(() -> KafkaClientProperties.check(Map.of(" linger.ms", "5"))).hasMessageContaining("without spaces");
        assertThatThrownBy(() -> KafkaClientProperties.check(Map.of("", "5"))).hasMessageContaining("needs a name");
        var checked = KafkaClientProperties.check(Map.of("security.protocol", "SSL"));
        new ObjectOutputStream(new ByteArrayOutputStream()).writeObject(checked); // what an operator field needs
    }

    @ParameterizedTest
    @ValueSource(strings = {"sasl.jaas.config", "ssl.key.password", "ssl.keystore.password", "ssl.truststore.password",
        "ssl.keystore.key", "ssl.keystore.certificate.chain", "sasl.oauthbearer.client.credentials.client.secret",
        "sasl.login.token", "basic.auth.user.info", "my.plugin.apikey", "custom.PASSWORD"})
    void secretsAreRecognised(String key) {
        assertThat(KafkaClientProperties.isSecret(key)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"security.protocol", "sasl.mechanism", "ssl.truststore.location", "ssl.truststore.type", "linger.ms", "client.id"})
    void settingsAreNotSecrets(String key) {
        assertThat(KafkaClientProperties.isSecret(key)).isFalse();
    }

    @Test
    void describeHidesSecretValuesAndKeepsTheRest() {
        String line = KafkaClientProperties.describe(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"a\" password=\"hunter2\";",
                "ssl.truststore.password", "changeit"));
        assertThat(line).isEqualTo("sasl.jaas.config=***, sasl.mechanism=PLAIN, security.protocol=SASL_SSL, ssl.truststore.password=***");
    }
}
