package io.vxflow.gpu.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The results of a benchmark run: where it ran (host, CPU, GPU, driver, library versions, date)
 * and one row per measurement. Written as JSON lines (for plots) and as a Markdown table (for the
 * docs), and printed as it goes.
 */
public final class BenchReport {
    /** One measurement: benchmark, case, parameters, value and unit. */
    public record Row(String bench, String name, Map<String, Object> params, double value, String unit) {}

    private final Map<String, String> machine = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();

    public BenchReport() {
        machine.put("date", ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        machine.put("host", MachineFacts.hostName());
        machine.put("cpu", MachineFacts.cpuModel());
        machine.put("cores", Integer.toString(MachineFacts.cpus()));
        machine.put("java", MachineFacts.java());
    }

    /** Adds a machine fact (GPU name, driver, TensorRT version ...). */
    public void machine(String key, String value) {
        machine.put(key, value);
    }

    public void add(String bench, String name, Map<String, Object> params, double value, String unit) {
        Row r = new Row(bench, name, params, value, unit);
        rows.add(r);
        System.out.printf(Locale.ROOT, "  %-8s %-40s %-32s %12.2f %s%n", bench, name, params, value, unit);
    }

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** Writes {@code <dir>/<name>.jsonl} and {@code <dir>/<name>.md}. */
    public void write(Path dir, String name) {
        try {
            Files.createDirectories(dir);
            StringBuilder json = new StringBuilder("{\"machine\":").append(mapJson(new LinkedHashMap<>(machine))).append("}\n");
            for (Row r : rows) {
                json.append("{\"bench\":\"").append(r.bench()).append("\",\"name\":\"").append(r.name()).append("\",\"params\":")
                        .append(mapJson(r.params())).append(",\"value\":").append(r.value()).append(",\"unit\":\"").append(r.unit())
                        .append("\"}\n");
            }
            Files.writeString(dir.resolve(name + ".jsonl"), json, StandardCharsets.UTF_8);
            StringBuilder md = new StringBuilder();
            machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
            md.append("\n| bench | case | parameters | value | unit |\n| --- | --- | --- | ---: | --- |\n");
            for (Row r : rows) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %s |%n", r.bench(), r.name(), r.params(), r.value(), r.unit()));
            }
            Files.writeString(dir.resolve(name + ".md"), md, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String mapJson(Map<String, ?> m) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, ?> e : m.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            if (v instanceof Number || v instanceof Boolean) {
                b.append(v);
            } else {
                b.append('"').append(String.valueOf(v).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return b.append('}').toString();
    }

    /** The median of a sample. */
    public static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
