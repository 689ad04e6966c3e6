package io.vxflow.job.web;

import io.vxflow.operators.stages.LiveMosaics;
import java.util.List;
import java.util.Locale;

/** The live view's {@code /api/state} document: the slots' mosaics and the per-stream table, as JSON. */
final class LiveState {
    private LiveState() {}

    static String json(List<LiveMosaics.Mosaic> mosaics, List<LiveStreamMetrics.Row> rows) {
        StringBuilder b = new StringBuilder(256 + 200 * rows.size()).append("{\"mosaics\":[");
        for (int i = 0; i < mosaics.size(); i++) {
            LiveMosaics.Mosaic m = mosaics.get(i);
            b.append(i == 0 ? "" : ",").append("{\"key\":").append(string(m.key())).append(",\"slot\":").append(m.slot())
                    .append(",\"width\":").append(m.width()).append(",\"height\":").append(m.height())
                    .append(",\"sequence\":").append(m.sequence()).append(",\"capturedMillis\":").append(m.capturedMillis())
                    .append(",\"tiles\":[");
            for (int t = 0; t < m.tiles().size(); t++) {
                b.append(t == 0 ? "" : ",").append(string(m.tiles().get(t)));
            }
            b.append("]}");
        }
        b.append("],\"streams\":[");
        for (int i = 0; i < rows.size(); i++) {
            LiveStreamMetrics.Row r = rows.get(i);
            b.append(i == 0 ? "" : ",").append("{\"stream\":").append(string(r.stream())).append(",\"slot\":").append(r.slot())
                    .append(",\"decoder\":").append(string(r.decoder())).append(",\"framesIn\":").append(r.framesIn())
                    .append(",\"framesOut\":").append(r.framesOut()).append(",\"fps\":").append(number(r.fps()))
                    .append(",\"latencyP50\":").append(number(r.latencyP50())).append(",\"latencyP99\":").append(number(r.latencyP99()))
                    .append(",\"droppedOverload\":").append(r.droppedOverload()).append(",\"badInput\":").append(r.badInput()).append('}');
        }
        return b.append("]}").toString();
    }

    /** JSON has no NaN: unknown is null. */
    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.1f", v) : "null";
    }

    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029 || c == '<' || c == '>') {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
