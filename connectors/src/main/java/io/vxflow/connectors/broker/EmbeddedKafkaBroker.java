package io.vxflow.connectors.broker;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import kafka.server.KafkaConfig;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Apache Kafka cluster inside this JVM: one KRaft node that is both broker and
 * controller, built from Kafka's own server classes, for {@code vxflow broker} and
 * {@code vxflow demo} and for tests. Owns the node (its threads, sockets and metrics) and, when
 * no data directory was given, a temporary data directory that {@link #close()} deletes.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build()) {
 *     broker.start();
 *     broker.createTopic("frames", 4);
 *     String bootstrap = broker.bootstrapServers(); // "127.0.0.1:41234"
 * }
 * }</pre>
 *
 * <p>The client listener is plaintext unless the builder asks for SASL/PLAIN users
 * ({@link Builder#saslPlainUser}), TLS ({@link Builder#tls}) or both; {@link #securityProtocol()}
 * says which {@code security.protocol} clients need. The controller's listener stays plaintext
 * (only the node itself uses it).
 *
 * <p>Limitations: SASL/PLAIN only (no SCRAM, Kerberos or OAuth), no authorization (ACLs), no
 * client certificates; replication factor 1 for everything;
 * records up to 16 MiB; transactions up to 2 h ({@code transaction.timeout.ms} of Flink's
 * exactly-once {@code KafkaSink} defaults to 1 h). A data directory given with
 * {@link Builder#dataDirectory} is formatted on first use ({@code kafka-storage format}) and
 * reused as it is afterwards. Logging of Kafka's own classes is turned down to WARN unless the
 * log4j2 configuration names their loggers (see {@link Builder#quietKafkaLogging}).
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private enum State { NEW, RUNNING, CLOSED }

    private final int requestedPort;
    private final Optional<Path> givenDataDirectory;
    private final String host;
    private final Map<String, String> overrides;
    private final boolean quietKafkaLogging;
    private final ListenerSecurity security;

    private State state = State.NEW;
    private Path dataDirectory;
    private DataDirectoryLock directoryLock;
    private CombinedKraftNode node;
    private volatile String bootstrapServers;
    private volatile int port;
    private volatile String clusterId;

    private EmbeddedKafkaBroker(Builder builder) {
        this.requestedPort = builder.port;
        this.givenDataDirectory = Optional.ofNullable(builder.dataDirectory);
        this.host = builder.host;
        this.overrides = Map.copyOf(builder.overrides);
        this.quietKafkaLogging = builder.quietKafkaLogging;
        this.security = new ListenerSecurity(builder.saslUsers, builder.keyStore, builder.keyStorePassword);
    }

    /** A builder for a broker on 127.0.0.1, any free port, in a fresh temporary directory. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Formats the data directory if it is not formatted yet, then starts the node and returns
     * once the broker accepts clients (typically a second or two).
     *
     * @throws BrokerStartException if the port is taken, the directory is unusable or Kafka fails
     *     to start; the broker is closed then
     * @throws IllegalStateException if started before, or closed
     */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("The embedded Kafka broker can be started once; it is " + state);
        }
        long startNanos = System.nanoTime();
        try {
            startNode();
        } catch (RuntimeException e) {
            close();
            throw e instanceof BrokerStartException ? e : startFailure(e);
        }
        state = State.RUNNING;
        LOG.info("Kafka broker of cluster {} started in {} ms on {}, data in {}", clusterId,
                (System.nanoTime() - startNanos) / 1_000_000, bootstrapServers, dataDirectory);
    }

    /** "host:port" of the broker's client listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        String servers = bootstrapServers;
        if (servers == null) {
            throw new IllegalStateException("The embedded Kafka broker has not been started");
        }
        return servers;
    }

    /**
     * The {@code security.protocol} clients of this broker need: PLAINTEXT, SASL_PLAINTEXT (with
     * {@code sasl.mechanism=PLAIN}), SSL or SASL_SSL.
     */
    public String securityProtocol() {
        return security.securityProtocol();
    }

    /** The port of the client listener: the one asked for, or the one picked for port 0. */
    public int port() {
        bootstrapServers(); // only known once started
        return port;
    }

    /** The KRaft cluster id stored in the data directory (kept across restarts on it). */
    public String clusterId() {
        bootstrapServers(); // only known once started
        return clusterId;
    }

    /** The directory holding the node's logs and metadata; null before {@link #start()}. */
    public synchronized Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * Creates a topic with replication factor 1, or leaves an existing one of that name as it
     * is, and returns once every partition has a leader.
     *
     * @return true if the topic was created, false if it existed
     */
    public boolean createTopic(String name, int partitions) {
        Objects.requireNonNull(name, "topic name");
        if (partitions < 1) {
            throw new IllegalArgumentException("A topic needs at least one partition, got " + partitions);
        }
        synchronized (this) {
            if (state != State.RUNNING) {
                throw new IllegalStateException("Cannot create topic '" + name
                        + "': the embedded Kafka broker is " + state);
            }
        }
        return BrokerTopics.create(bootstrapServers, security.internalClientProperties(), name, partitions);
    }

    /**
     * Stops the node and waits for its threads, then deletes the data directory if it was a
     * temporary one. Idempotent; a closed broker cannot be started again (build a new one on the
     * same data directory instead).
     */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        bootstrapServers = null;
        try {
            if (node != null) {
                node.shutdown();
            }
        } finally {
            node = null;
            if (directoryLock != null) {
                directoryLock.close();
            }
            deleteTemporaryDirectory();
        }
    }

    private void startNode() {
        if (quietKafkaLogging) {
            KafkaLogLevels.quietUnlessConfigured();
        }
        dataDirectory = givenDataDirectory.orElseGet(EmbeddedKafkaBroker::createTemporaryDirectory);
        directoryLock = DataDirectoryLock.acquire(dataDirectory);
        checkPortIsFree();
        KafkaConfig config = new KafkaConfig(
                EmbeddedBrokerConfig.serverProperties(host, requestedPort, dataDirectory, security, overrides), false);
        KraftStorage.formatIfNeeded(dataDirectory, config);
        node = CombinedKraftNode.create(config, host);
        port = node.start();
        clusterId = node.clusterId();
        bootstrapServers = Utils.formatAddress(host, port);
    }

    private void checkPortIsFree() {
        if (requestedPort == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, requestedPort));
        } catch (IOException e) {
            throw portInUse(e);
        }
    }

    private BrokerStartException startFailure(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindException) {
                return portInUse(e);
            }
        }
        return new BrokerStartException("The embedded Kafka broker on " + host + ":" + requestedPort
                + " with data in " + dataDirectory + " failed to start: " + e.getMessage(), e);
    }

    private BrokerStartException portInUse(Exception cause) {
        return new BrokerStartException("Cannot start the embedded Kafka broker: port " + requestedPort
                + " on " + host + " is already in use (" + cause.getMessage()
                + "); choose another port, or port 0 for any free one", cause);
    }

    private static Path createTemporaryDirectory() {
        try {
            return Files.createTempDirectory("vxflow-kafka-");
        } catch (IOException e) {
            throw new BrokerStartException("Cannot create a temporary Kafka data directory: " + e.getMessage(), e);
        }
    }

    private void deleteTemporaryDirectory() {
        if (givenDataDirectory.isPresent() || dataDirectory == null) {
            return;
        }
        try {
            Utils.delete(dataDirectory.toFile());
        } catch (IOException e) {
            LOG.warn("Cannot delete the temporary Kafka data directory {}", dataDirectory, e);
        }
    }

    /**
     * Settings of an {@link EmbeddedKafkaBroker}; every one has a default, and {@link #build()}
     * checks them together. Owns nothing.
     */
    public static final class Builder {
        private int port = 0;
        private Path dataDirectory;
        private String host = "127.0.0.1";
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private boolean quietKafkaLogging = true;
        private final Map<String, String> saslUsers = new LinkedHashMap<>();
        private Path keyStore;
        private String keyStorePassword;

        private Builder() {}

        /** The client port; 0 (the default) picks a free one, see {@link EmbeddedKafkaBroker#port()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Where the node keeps its data; formatted if empty or absent, reused if it holds a
         * broker's data already, kept on close. Default: a temporary directory, deleted on close.
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * The address both listeners bind to and that clients are told to connect to (so not a
         * wildcard such as 0.0.0.0). Default 127.0.0.1.
         */
        public Builder listenerHost(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * A Kafka server property ({@code log.retention.hours}, ...) that wins over the embedded
         * broker's own choice; for tuning. The node's roles, id, listeners and directories cannot
         * be changed this way.
         */
        public Builder property(String key, String value) {
            Objects.requireNonNull(key, "key");
            if (EmbeddedBrokerConfig.FIXED_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException("The Kafka property '" + key + "' is set by the embedded "
                        + "broker itself; use port(), listenerHost() or dataDirectory() instead");
            }
            overrides.put(key, Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Clients must authenticate with SASL/PLAIN, and may as {@code user} with
         * {@code password}; call again for more users. The broker's own connections to its
         * listener use an internal user with a random password. Without {@link #tls} the
         * listener is SASL_PLAINTEXT, which sends passwords in the clear: for tests and local
         * experiments.
         */
        public Builder saslPlainUser(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (!user.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("A SASL user name for the embedded broker is letters, digits, '.', '_' "
                        + "and '-', got '" + user + "'");
            }
            saslUsers.put(user, password);
            return this;
        }

        /**
         * The client listener speaks TLS with the key and certificate in this PKCS12 key store
         * (the key's password is the store's). Clients must trust the certificate, and it must
         * name the listener host (for example {@code SAN=IP:127.0.0.1}): Kafka clients verify
         * host names by default.
         */
        public Builder tls(Path keyStore, String keyStorePassword) {
            this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
            this.keyStorePassword = Objects.requireNonNull(keyStorePassword, "keyStorePassword");
            return this;
        }

        /**
         * Whether to turn Kafka's own loggers down to WARN where the log4j2 configuration leaves
         * them at INFO or below by default. Default true.
         */
        public Builder quietKafkaLogging(boolean quiet) {
            this.quietKafkaLogging = quiet;
            return this;
        }

        public EmbeddedKafkaBroker build() {
            sanityCheck();
            return new EmbeddedKafkaBroker(this);
        }

        private void sanityCheck() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("The broker port must be between 0 (any free port) and 65535, got "
                        + port);
            }
            if (dataDirectory != null && Files.exists(dataDirectory) && !Files.isDirectory(dataDirectory)) {
                throw new IllegalArgumentException("The Kafka data directory " + dataDirectory
                        + " exists and is not a directory");
            }
            checkHost();
            if (keyStore != null && !Files.isRegularFile(keyStore)) {
                throw new IllegalArgumentException("The broker's key store " + keyStore + " does not exist");
            }
        }

        private void checkHost() {
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("The broker listener host '" + host + "' does not resolve", e);
            }
            if (address.isAnyLocalAddress()) {
                throw new IllegalArgumentException("The broker listener host must be an address clients can "
                        + "connect to, not the wildcard '" + host + "'; use 127.0.0.1 or this machine's address");
            }
        }
    }
}
