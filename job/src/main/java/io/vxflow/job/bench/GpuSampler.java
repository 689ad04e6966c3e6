package io.vxflow.job.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * GPU busy time, NVDEC busy time and memory in use, once a second, from {@code nvidia-smi
 * --query-gpu=utilization.gpu,utilization.decoder,memory.used -lms 1000} running beside the
 * benchmark; each line is stamped with the wall-clock time it arrived. Owns the nvidia-smi
 * process (also in the {@link ProcessGroup}, so it never outlives the benchmark) and its reader
 * thread.
 */
final class GpuSampler implements AutoCloseable {
    /** One reading; a field nvidia-smi reports as N/A is NaN. */
    record Sample(long timeMillis, double gpuUtil, double decoderUtil, double memoryMib) {}

    private final Process process;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread reader;

    private GpuSampler(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "vxflow-bench-gpu-sampler");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts sampling GPU {@code gpu} and waits for the first reading.
     *
     * @throws IOException with the reason if nvidia-smi is missing or reports nothing
     */
    static GpuSampler start(ProcessGroup group, int gpu) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nvidia-smi", "-i", Integer.toString(gpu), "--query-gpu=utilization.gpu,utilization.decoder,memory.used",
                "--format=csv,noheader,nounits", "-lms", "1000").redirectErrorStream(true).start();
        group.adopt(p);
        GpuSampler s = new GpuSampler(p);
        long deadline = System.currentTimeMillis() + 10_000;
        while (s.count() == 0) {
            if (!p.isAlive() || System.currentTimeMillis() > deadline) {
                s.close();
                throw new IOException("nvidia-smi gave no reading" + (p.isAlive() ? "" : " (exit code " + p.exitValue() + ")"));
            }
            Thread.sleep(50);
        }
        return s;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                Sample s = parse(System.currentTimeMillis(), line);
                if (s != null) {
                    synchronized (samples) {
                        samples.add(s);
                    }
                }
            }
        } catch (IOException e) {
            // the process was stopped
        }
    }

    /** A CSV line {@code 45, 30, 12345}; null if it is not one (a message). */
    static Sample parse(long timeMillis, String line) {
        String[] f = line.split(",");
        if (f.length != 3) {
            return null;
        }
        double[] v = new double[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Double.parseDouble(f[i].strip());
            } catch (NumberFormatException e) {
                v[i] = Double.NaN; // [N/A], [Not Supported]
            }
        }
        return Double.isNaN(v[0]) && Double.isNaN(v[1]) && Double.isNaN(v[2]) ? null : new Sample(timeMillis, v[0], v[1], v[2]);
    }

    int count() {
        synchronized (samples) {
            return samples.size();
        }
    }

    /** The mean of a field over readings taken in [from, to); NaN if there were none. */
    double mean(long fromMillis, long toMillis, ToDoubleFunction<Sample> field) {
        double sum = 0;
        int n = 0;
        synchronized (samples) {
            for (Sample s : samples) {
                double v = field.applyAsDouble(s);
                if (s.timeMillis() >= fromMillis && s.timeMillis() < toMillis && !Double.isNaN(v)) {
                    sum += v;
                    n++;
                }
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Memory in use at the last reading before {@code timeMillis}; NaN if none. */
    double memoryBefore(long timeMillis) {
        double m = Double.NaN;
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.timeMillis() < timeMillis) {
                    m = s.memoryMib();
                }
            }
        }
        return m;
    }

    @Override
    public void close() {
        process.destroy();
    }
}
