package io.vxflow.connectors.broker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * How the broker's client listener is secured: TLS with a given key store, SASL/PLAIN with a
 * given set of users, both, or neither. Owns the listener's server properties and those of the
 * broker's own clients (its connections to itself for transaction markers, and the admin client
 * that creates topics), which authenticate as an internal user with a random password made per
 * broker.
 *
 * <p>The broker trusts its own certificate (the key store's, as a PEM trust store), so its own
 * clients need nothing else; outside clients need a trust store with that certificate, and the
 * certificate must name the listener host (for example {@code SAN=IP:127.0.0.1}), as Kafka
 * verifies host names by default.
 */
final class ListenerSecurity {
    static final String MECHANISM = "PLAIN";
    private static final String PLAIN_LOGIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule";
    private static final String INTERNAL_USER = "vxflow-broker";

    private final Map<String, String> users;
    private final Path keyStore;
    private final String keyStorePassword;
    private final String internalPassword;
    private final String trustedCertificates;

    ListenerSecurity(Map<String, String> users, Path keyStore, String keyStorePassword) {
        this.users = Collections.unmodifiableMap(new LinkedHashMap<>(users));
        this.keyStore = keyStore;
        this.keyStorePassword = keyStorePassword;
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        this.internalPassword = HexFormat.of().formatHex(random);
        this.trustedCertificates = keyStore == null ? null : certificatesPem(keyStore, keyStorePassword);
    }

    boolean sasl() {
        return !users.isEmpty();
    }

    boolean tls() {
        return keyStore != null;
    }

    /** PLAINTEXT, SASL_PLAINTEXT, SSL or SASL_SSL. */
    String securityProtocol() {
        return (sasl() ? "SASL_" : "") + (tls() ? "SSL" : "PLAINTEXT");
    }

    /** The server properties of the listener {@code listener}, including inter-broker authentication. */
    Map<String, String> serverProperties(String listener) {
        String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
        Map<String, String> p = new LinkedHashMap<>();
        if (sasl()) {
            StringBuilder jaas = new StringBuilder(login(INTERNAL_USER, internalPassword, false));
            jaas.append(" user_").append(INTERNAL_USER).append("=").append(quoted(internalPassword));
            users.forEach((user, password) -> jaas.append(" user_").append(user).append("=").append(quoted(password)));
            p.put("sasl.enabled.mechanisms", MECHANISM);
            p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
            p.put(prefix + MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config", jaas.append(';').toString());
        }
        if (tls()) {
            p.put(prefix + "ssl.keystore.type", "PKCS12");
            p.put(prefix + "ssl.keystore.location", keyStore.toString());
            p.put(prefix + "ssl.keystore.password", keyStorePassword);
            p.put(prefix + "ssl.key.password", keyStorePassword);
            p.put(prefix + "ssl.truststore.type", "PEM");
            p.put(prefix + "ssl.truststore.certificates", trustedCertificates);
            p.put(prefix + "ssl.client.auth", "none");
        }
        return p;
    }

    /** What the broker's own clients (its topic admin) need to connect to the listener. */
    Map<String, String> internalClientProperties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", securityProtocol());
        if (sasl()) {
            p.put("sasl.mechanism", MECHANISM);
            p.put("sasl.jaas.config", login(INTERNAL_USER, internalPassword, true));
        }
        if (tls()) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.certificates", trustedCertificates);
        }
        return p;
    }

    private static String login(String user, String password, boolean end) {
        return PLAIN_LOGIN_MODULE + " required username=" + quoted(user) + " password=" + quoted(password) + (end ? ";" : "");
    }

    /** A JAAS option value: Kafka's parser reads quoted strings with backslash escapes. */
    static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String certificatesPem(Path keyStore, String password) {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            StringBuilder pem = new StringBuilder();
            for (String alias : Collections.list(ks.aliases())) {
                Certificate[] chain = ks.isKeyEntry(alias) ? ks.getCertificateChain(alias) : new Certificate[] {ks.getCertificate(alias)};
                for (Certificate c : chain == null ? new Certificate[0] : chain) {
                    pem.append("-----BEGIN CERTIFICATE-----\n")
                            .append(Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded()))
                            .append("\n-----END CERTIFICATE-----\n");
                }
            }
            if (pem.length() == 0) {
                throw new IllegalArgumentException("The key store " + keyStore + " holds no certificate");
            }
            return pem.toString();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot read the PKCS12 key store " + keyStore + ": " + e.getMessage(), e);
        }
    }
}
