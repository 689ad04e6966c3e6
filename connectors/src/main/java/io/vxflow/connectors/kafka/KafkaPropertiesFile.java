package io.vxflow.connectors.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads Kafka client properties from a Java properties file in UTF-8, such as the
 * {@code client.properties} that Kafka's own tools take with {@code --command-config}: comments,
 * {@code \} continuation lines (a JAAS configuration is often split over several) and escapes as
 * {@link Properties#load} reads them. Stricter in one way: a line with a name and no {@code =},
 * {@code :} or value is an error, not a property with an empty value. Owns nothing.
 */
public final class KafkaPropertiesFile {
    private KafkaPropertiesFile() {}

    /**
     * The properties in {@code file}, checked by {@link KafkaClientProperties#check}.
     *
     * @throws IllegalArgumentException with one line saying what is wrong (a missing file, a line
     *     without a value, a bad escape, a property vxflow sets itself); never a value
     */
    public static HashMap<String, String> load(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("Kafka client properties file " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException("Kafka client properties file " + file + " is a directory");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("Kafka client properties file " + file + " is not UTF-8 text");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read Kafka client properties file " + file + ": " + e.getMessage());
        }
        try {
            checkLines(text);
            Properties p = new Properties();
            p.load(new StringReader(text));
            Map<String, String> map = new HashMap<>();
            p.stringPropertyNames().forEach(k -> map.put(k, p.getProperty(k)));
            return KafkaClientProperties.check(map);
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("Kafka client properties file " + file + ": " + e.getMessage());
        }
    }

    /** Every logical line (continuations joined) that is not blank or a comment has a separator. */
    private static void checkLines(String text) throws IOException {
        List<String> lines = new BufferedReader(new StringReader(text)).lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            int first = i;
            StringBuilder logical = new StringBuilder(lines.get(i).stripLeading());
            if (logical.length() == 0 || logical.charAt(0) == '#' || logical.charAt(0) == '!') {
                continue;
            }
            while (endsInContinuation(logical) && i + 1 < lines.size()) {
                logical.setLength(logical.length() - 1);
                logical.append(lines.get(++i).stripLeading());
            }
            if (!hasSeparator(logical)) {
                throw new IllegalArgumentException("line " + (first + 1) + " has no '=' (expected KEY=VALUE)");
            }
        }
    }

    private static boolean endsInContinuation(CharSequence line) {
        int backslashes = 0;
        for (int i = line.length() - 1; i >= 0 && line.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    /** Whether the key ends at an unescaped '=', ':' or whitespace that has something after it. */
    private static boolean hasSeparator(CharSequence line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '=' || c == ':') {
                return true;
            } else if (Character.isWhitespace(c)) {
                return !line.subSequence(i, line.length()).toString().isBlank();
            }
        }
        return false;
    }
}
