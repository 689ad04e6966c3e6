package io.vxflow.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The instructions of a Dockerfile that bring files in from the build context ({@code COPY} and
 * {@code ADD} without {@code --from}), as (sources, destination). Continuation lines are joined and
 * comments dropped; both the shell form and the JSON array form are read.
 */
record DockerfileCopies(String from, List<Copy> copies) {
    /** One instruction: its context-relative sources and where they land in the image. */
    record Copy(List<String> sources, String destination) {}

    static DockerfileCopies read(Path dockerfile) throws IOException {
        String from = null;
        List<Copy> copies = new ArrayList<>();
        for (String instruction : instructions(Files.readAllLines(dockerfile))) {
            String[] words = instruction.trim().split("\\s+", 2);
            String keyword = words[0].toUpperCase(java.util.Locale.ROOT);
            if (keyword.equals("FROM")) {
                from = words[1].trim();
            } else if ((keyword.equals("COPY") || keyword.equals("ADD")) && words.length == 2) {
                List<String> args = arguments(words[1].trim());
                if (args.stream().noneMatch(a -> a.startsWith("--from="))) {
                    List<String> paths = args.stream().filter(a -> !a.startsWith("--")).toList();
                    copies.add(new Copy(paths.subList(0, paths.size() - 1), paths.get(paths.size() - 1)));
                }
            }
        }
        return new DockerfileCopies(from, copies);
    }

    /** The destination of the instruction copying {@code source}. */
    String destinationOf(String source) {
        return copies.stream().filter(c -> c.sources().contains(source)).map(Copy::destination).findFirst()
                .orElseThrow(() -> new AssertionError("nothing copies " + source + " in " + copies));
    }

    List<String> sources() {
        return copies.stream().flatMap(c -> c.sources().stream()).toList();
    }

    private static List<String> instructions(List<String> lines) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String t = line.trim();
            if (t.startsWith("#") || (t.isEmpty() && current.isEmpty())) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
            } else {
                out.add(current.append(t).toString());
                current.setLength(0);
            }
        }
        return out;
    }

    private static List<String> arguments(String rest) {
        if (rest.startsWith("[")) {
            return Arrays.stream(rest.substring(1, rest.lastIndexOf(']')).split(",")).map(s -> s.trim().replaceAll("^\"|\"$", "")).toList();
        }
        return List.of(rest.split("\\s+"));
    }
}
