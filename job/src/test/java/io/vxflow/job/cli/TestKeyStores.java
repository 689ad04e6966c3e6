package io.vxflow.job.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker key store (PKCS12, a self-signed EC certificate for 127.0.0.1 and localhost, valid for
 * two days), made with the JDK's own keytool (the JDK has no public API that signs a certificate),
 * and a client trust store (PKCS12) holding that certificate.
 */
record TestKeyStores(Path keyStore, Path trustStore) {
    static TestKeyStores create(Path dir, String keyStorePassword, String trustStorePassword) throws Exception {
        Path keyStore = dir.resolve("broker.p12");
        Path trustStore = dir.resolve("client-trust.p12");
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", keyStorePassword, "-keypass", keyStorePassword);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, keyStorePassword.toCharArray());
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("broker", keys.getCertificate("broker"));
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trust.store(out, trustStorePassword.toCharArray());
        }
        return new TestKeyStores(keyStore, trustStore);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
        }
    }
}
