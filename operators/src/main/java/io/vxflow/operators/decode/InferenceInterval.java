package io.vxflow.operators.decode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which frames of a stream are analysed: every Nth by the frame's index in its stream (0, N, 2N, ...),
 * N per stream from the first glob pattern that matches the stream id, else the default. Like
 * DeepStream's {@code interval} and Savant's frame filters, for streams that need fewer inferences
 * than frames. The other frames are still decoded (later frames reference them) and still get their
 * one result, marked {@code "dropped":"interval"}; the decode stage releases their pictures at once,
 * so nothing after decode spends anything on them.
 *
 * <p>Written {@code pattern=N;pattern=N}, e.g. {@code lobby-*=5;dock-?=2}. A pattern is a glob over
 * the whole stream id: {@code *} any run of characters, {@code ?} one character, {@code [abc]},
 * {@code [a-z]} and {@code [!a-z]} a character of (or not of) a set; every other character stands for
 * itself. First match wins. Immutable.
 */
public final class InferenceInterval implements Serializable {
    private static final long serialVersionUID = 1L;
    /** The result's {@code dropped} value for a frame the interval leaves unanalysed. */
    public static final String REASON = "interval";
    /** Every frame analysed. */
    public static final InferenceInterval EVERY_FRAME = new InferenceInterval(1, List.of());

    private final int defaultInterval;
    private final List<Rule> rules;

    private InferenceInterval(int defaultInterval, List<Rule> rules) {
        this.defaultInterval = defaultInterval;
        this.rules = List.copyOf(rules);
    }

    /**
     * @param defaultInterval N for streams no pattern matches, at least 1
     * @param perStream {@code pattern=N;...} (empty or null: none)
     * @throws IllegalArgumentException with one line saying what is wrong and where
     */
    public static InferenceInterval parse(int defaultInterval, String perStream) {
        if (defaultInterval < 1) {
            throw new IllegalArgumentException("the interval must be at least 1 (every frame), not " + defaultInterval);
        }
        List<Rule> rules = new ArrayList<>();
        if (perStream != null) {
            for (String entry : perStream.split(";", -1)) {
                if (entry.isBlank()) {
                    continue; // a trailing ';'
                }
                Rule r = Rule.parse(entry.strip());
                for (Rule earlier : rules) {
                    if (earlier.glob.equals(r.glob)) {
                        throw new IllegalArgumentException("pattern '" + r.glob + "' is given twice; only the first would ever match");
                    }
                }
                rules.add(r);
            }
        }
        return new InferenceInterval(defaultInterval, rules);
    }

    /** N for a stream: the first matching pattern's, else the default. */
    public int of(String streamId) {
        for (Rule r : rules) {
            if (r.regex.matcher(streamId).matches()) {
                return r.interval;
            }
        }
        return defaultInterval;
    }

    /** Whether the frame with {@code frameIndex} (from 0) of a stream with interval {@code n} is analysed. */
    public static boolean analyses(int n, long frameIndex) {
        return n <= 1 || frameIndex % n == 0;
    }

    /** Whether every stream analyses every frame. */
    public boolean everyFrame() {
        return defaultInterval == 1 && rules.stream().allMatch(r -> r.interval == 1);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("every ").append(defaultInterval);
        for (Rule r : rules) {
            b.append("; ").append(r.glob).append('=').append(r.interval);
        }
        return b.toString();
    }

    private record Rule(String glob, Pattern regex, int interval) implements Serializable {
        static Rule parse(String entry) {
            int eq = entry.lastIndexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("'" + entry + "' is not pattern=N (e.g. lobby-*=5)");
            }
            String glob = entry.substring(0, eq).strip();
            String n = entry.substring(eq + 1).strip();
            if (glob.isEmpty()) {
                throw new IllegalArgumentException("'" + entry + "' has no pattern before '='");
            }
            int interval;
            try {
                interval = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + entry + "': the interval '" + n + "' is not a whole number");
            }
            if (interval < 1) {
                throw new IllegalArgumentException("'" + entry + "': the interval must be at least 1 (every frame), not " + interval);
            }
            return new Rule(glob, Pattern.compile(toRegex(glob)), interval);
        }

        /** The glob as a regular expression; a set left open or empty is refused. */
        private static String toRegex(String glob) {
            StringBuilder re = new StringBuilder();
            int i = 0;
            while (i < glob.length()) {
                char c = glob.charAt(i);
                if (c == '*') {
                    re.append(".*");
                } else if (c == '?') {
                    re.append('.');
                } else if (c == '[') {
                    int close = glob.indexOf(']', i + 1);
                    if (close < 0) {
                        throw new IllegalArgumentException("pattern '" + glob + "' opens a set with '[' that is never closed");
                    }
                    String set = glob.substring(i + 1, close);
                    boolean negated = set.startsWith("!");
                    if (negated) {
                        set = set.substring(1);
                    }
                    if (set.isEmpty()) {
                        throw new IllegalArgumentException("pattern '" + glob + "' has an empty set '" + glob.substring(i, close + 1) + "'");
                    }
                    re.append('[').append(negated ? "^" : "").append(setToRegex(glob, set)).append(']');
                    i = close;
                } else {
                    re.append(Pattern.quote(String.valueOf(c)));
                }
                i++;
            }
            return re.toString();
        }

        /** A set's members and ranges ({@code a-z}), every other character taken literally. */
        private static String setToRegex(String glob, String set) {
            StringBuilder re = new StringBuilder();
            for (int i = 0; i < set.length(); i++) {
                char c = set.charAt(i);
                if (i + 2 < set.length() && set.charAt(i + 1) == '-') {
                    char to = set.charAt(i + 2);
                    if (to < c) {
                        throw new IllegalArgumentException("pattern '" + glob + "' has a backward range '" + c + "-" + to + "'");
                    }
                    re.append(literal(c)).append('-').append(literal(to));
                    i += 2;
                } else {
                    re.append(literal(c));
                }
            }
            return re.toString();
        }

        private static String literal(char c) {
            return Character.isLetterOrDigit(c) ? String.valueOf(c) : "\\" + c;
        }
    }
}
