package io.vxflow.connectors.producer;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The password in a URL's user information ({@code rtsp://user:password@host/...}), found the way
 * FFmpeg finds it, so that messages can show the URL without it. Owns nothing.
 *
 * <p>FFmpeg ({@code av_url_split}) ends the authority at the first {@code /}, {@code ?} or
 * {@code #} after {@code ://} and takes everything up to the <em>last</em> {@code @} in it as user
 * information, so a camera password such as {@code p@ssw0rd} works unencoded; the password is what
 * follows the first {@code :} of the user information. An authority that is not
 * {@code host[:port]} after that can only come from a password with a raw {@code /}, {@code ?} or
 * {@code #} in it (which FFmpeg cannot use either): then everything up to the last {@code @} before
 * the query is treated as user information, so that such a password is hidden too.
 */
public final class UrlCredentials {
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://");
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9A-Fa-f:.]*\\]|[^:\\[\\]]*)(:[0-9]*)?$");
    private static final String HIDDEN = "***";

    private UrlCredentials() {}

    /** {@code url} with its password replaced by {@code ***}; anything else unchanged. */
    public static String redact(String url) {
        Span p = passwordSpan(url);
        return p == null ? url : url.substring(0, p.start) + HIDDEN + url.substring(p.end);
    }

    /** The password in {@code url}'s user information, if there is one. */
    public static Optional<String> password(String url) {
        Span p = passwordSpan(url);
        return p == null ? Optional.empty() : Optional.of(url.substring(p.start, p.end));
    }

    private record Span(int start, int end) {}

    private static Span passwordSpan(String url) {
        if (url == null) {
            return null;
        }
        var scheme = SCHEME.matcher(url);
        if (!scheme.find()) {
            return null;
        }
        int from = scheme.end();
        int authorityEnd = indexOfAny(url, "/?#", from);
        int at = url.lastIndexOf('@', authorityEnd - 1);
        if (at < from && !HOST_PORT.matcher(url.substring(from, authorityEnd)).matches()) {
            at = url.lastIndexOf('@', indexOfAny(url, "?#", from) - 1);
        }
        if (at < from) {
            return null;
        }
        int colon = url.indexOf(':', from);
        return colon < 0 || colon > at ? null : new Span(colon + 1, at);
    }

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
