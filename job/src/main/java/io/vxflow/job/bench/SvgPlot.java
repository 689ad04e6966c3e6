package io.vxflow.job.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as a standalone SVG file, written without a plotting library: linear axes from
 * zero with round tick steps, one coloured line per series (a NaN
 * breaks it; series of few points get markers), shaded x-ranges and horizontal reference lines.
 */
final class SvgPlot {
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"};
    private static final int WIDTH = 760, HEIGHT = 420, LEFT = 72, RIGHT = 24, TOP = 44, BOTTOM = 52;
    private static final int MARKERS_UP_TO = 40;

    private record Series(String name, double[] x, double[] y) {}

    private record Band(double from, double to, String label) {}

    private record Rule(double y, String label) {}

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Band> bands = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();

    SvgPlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    SvgPlot line(String name, double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series " + name + ": " + x.length + " x values, " + y.length + " y values");
        }
        series.add(new Series(name, x, y));
        return this;
    }

    /** Shades the x-range [from, to], e.g. a measured window. */
    SvgPlot band(double from, double to, String label) {
        bands.add(new Band(from, to, label));
        return this;
    }

    /** A dashed horizontal line, e.g. a latency target. */
    SvgPlot rule(double y, String label) {
        rules.add(new Rule(y, label));
        return this;
    }

    void writeTo(Path file) throws IOException {
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    String render() {
        Axis x = Axis.of(values(true));
        double[] ys = values(false);
        double[] withRules = java.util.Arrays.copyOf(ys, ys.length + rules.size());
        for (int i = 0; i < rules.size(); i++) {
            withRules[ys.length + i] = rules.get(i).y();
        }
        Axis y = Axis.of(withRules);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        text(svg, WIDTH / 2.0, 24, "middle", "font-size=\"15\"", title);
        for (Band b : bands) {
            double x0 = px(x, b.from()), x1 = px(x, b.to());
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#000\" fill-opacity=\"0.06\"/>%n",
                    x0, TOP, Math.max(0, x1 - x0), HEIGHT - TOP - BOTTOM));
            text(svg, (x0 + x1) / 2, TOP + 14, "middle", "fill=\"#555\"", b.label());
        }
        axes(svg, x, y);
        for (Rule r : rules) {
            double yy = py(y, r.y());
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\" stroke-dasharray=\"6 4\"/>%n",
                    LEFT, yy, WIDTH - RIGHT, yy));
            text(svg, WIDTH - RIGHT - 4, yy - 4, "end", "fill=\"#555\"", r.label());
        }
        for (int i = 0; i < series.size(); i++) {
            draw(svg, series.get(i), COLORS[i % COLORS.length], x, y);
            double ly = TOP + 14 + 16 * i + (bands.isEmpty() ? 0 : 16);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    LEFT + 10, ly - 4, LEFT + 30, ly - 4, COLORS[i % COLORS.length]));
            text(svg, LEFT + 36, ly, "start", "", series.get(i).name());
        }
        return svg.append("</svg>\n").toString();
    }

    private void axes(StringBuilder svg, Axis x, Axis y) {
        for (double t = x.min(); t <= x.max() + x.step() / 2; t += x.step()) {
            double xx = px(x, t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", xx, TOP, xx, HEIGHT - BOTTOM));
            text(svg, xx, HEIGHT - BOTTOM + 16, "middle", "", Axis.label(t, x.step()));
        }
        for (double t = y.min(); t <= y.max() + y.step() / 2; t += y.step()) {
            double yy = py(y, t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", LEFT, yy, WIDTH - RIGHT, yy));
            text(svg, LEFT - 6, yy + 4, "end", "", Axis.label(t, y.step()));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", LEFT, TOP,
                WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM));
        text(svg, (LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 12, "middle", "", xLabel);
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2.0, (TOP + HEIGHT - BOTTOM) / 2.0, escape(yLabel)));
    }

    private static void draw(StringBuilder svg, Series s, String color, Axis x, Axis y) {
        StringBuilder path = new StringBuilder();
        boolean pen = false;
        for (int i = 0; i < s.x().length; i++) {
            if (Double.isNaN(s.x()[i]) || Double.isNaN(s.y()[i])) {
                pen = false;
                continue;
            }
            path.append(String.format(Locale.ROOT, "%s%.1f %.1f ", pen ? "L" : "M", px(x, s.x()[i]), py(y, s.y()[i])));
            pen = true;
        }
        svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", path.toString().trim(), color));
        if (s.x().length <= MARKERS_UP_TO) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isNaN(s.x()[i]) && !Double.isNaN(s.y()[i])) {
                    svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", px(x, s.x()[i]), py(y, s.y()[i]), color));
                }
            }
        }
    }

    private double[] values(boolean xs) {
        List<Double> v = new ArrayList<>();
        for (Series s : series) {
            for (double d : xs ? s.x() : s.y()) {
                if (!Double.isNaN(d)) {
                    v.add(d);
                }
            }
        }
        if (xs) {
            bands.forEach(b -> {
                v.add(b.from());
                v.add(b.to());
            });
        }
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double px(Axis x, double v) {
        return LEFT + (v - x.min()) / (x.max() - x.min()) * (WIDTH - LEFT - RIGHT);
    }

    private static double py(Axis y, double v) {
        return HEIGHT - BOTTOM - (v - y.min()) / (y.max() - y.min()) * (HEIGHT - TOP - BOTTOM);
    }

    private static void text(StringBuilder svg, double x, double y, String anchor, String attributes, String s) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>%n", x, y, anchor, attributes, escape(s)));
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** An axis range from zero (or below, for negative values) on whole multiples of a 1-2-5 step, about five steps long. */
    record Axis(double min, double max, double step) {
        static Axis of(double[] v) {
            double lo = 0, hi = Double.NEGATIVE_INFINITY;
            for (double d : v) {
                lo = Math.min(lo, d);
                hi = Math.max(hi, d);
            }
            if (v.length == 0) {
                lo = 0;
                hi = 1;
            }
            if (hi <= lo) {
                hi = lo + 1;
            }
            double step = niceStep((hi - lo) / 5);
            return new Axis(Math.floor(lo / step) * step, Math.ceil(hi / step) * step, step);
        }

        static double niceStep(double raw) {
            double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / magnitude;
            return magnitude * (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
        }

        static String label(double v, double step) {
            return step >= 1 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%." + (int) Math.ceil(-Math.log10(step)) + "f", v);
        }
    }
}
