package io.vxflow.it.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a Flink cluster's REST API (the same endpoints the web UI and {@code flink list} use). Owns
 * an HTTP client. Every call fails with the status and body when the answer is not 200.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    FlinkRest(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** GET {@code path} as JSON. */
    public JsonNode get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20)).GET().build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + base + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Whether the REST endpoint answers at all (the JobManager is up). */
    boolean answers() {
        try {
            get("/config");
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Resource ids of the registered TaskManagers. */
    public List<String> taskManagerIds() {
        List<String> ids = new ArrayList<>();
        get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** Ids of the jobs the cluster knows (running or finished), newest first as Flink lists them. */
    public List<String> jobIds() {
        List<String> ids = new ArrayList<>();
        get("/jobs/overview").path("jobs").forEach(j -> ids.add(j.path("jid").asText()));
        return ids;
    }

    /** The job's details: state, vertices with their names, parallelism and task states. */
    public JsonNode job(String jobId) {
        return get("/jobs/" + jobId);
    }

    /** The job's state: RUNNING, RESTARTING, FINISHED, ... */
    public String jobState(String jobId) {
        return job(jobId).path("state").asText();
    }

    /** Whether the job is RUNNING with every task of every vertex RUNNING. */
    public boolean allTasksRunning(String jobId) {
        JsonNode job = job(jobId);
        if (!job.path("state").asText().equals("RUNNING")) {
            return false;
        }
        for (JsonNode v : job.path("vertices")) {
            if (v.path("tasks").path("RUNNING").asInt() != v.path("parallelism").asInt()) {
                return false;
            }
        }
        return true;
    }

    /** The ids of the TaskManagers the job's tasks are deployed on now (deploying, restoring or running). */
    public List<String> taskManagersOf(String jobId) {
        List<String> ids = new ArrayList<>();
        for (JsonNode v : job(jobId).path("vertices")) {
            for (JsonNode tm : get("/jobs/" + jobId + "/vertices/" + v.path("id").asText() + "/taskmanagers").path("taskmanagers")) {
                String id = tm.path("taskmanager-id").asText();
                JsonNode counts = tm.path("status-counts");
                boolean hosting = counts.path("DEPLOYING").asInt() + counts.path("INITIALIZING").asInt() + counts.path("RUNNING").asInt() > 0;
                if (hosting && !ids.contains(id)) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    /** Checkpoint counts and the latest completed checkpoint of a job. */
    public JsonNode checkpoints(String jobId) {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    /** Id of the latest completed checkpoint, or -1. */
    public long latestCompletedCheckpoint(String jobId) {
        JsonNode completed = checkpoints(jobId).path("latest").path("completed");
        return completed.isMissingNode() || completed.isNull() ? -1 : completed.path("id").asLong(-1);
    }

    /** The failures the job has seen, oldest last, each with its exception name and stack trace (causes included). */
    public List<JsonNode> exceptionHistory(String jobId) {
        List<JsonNode> out = new ArrayList<>();
        get("/jobs/" + jobId + "/exceptions?maxExceptions=10000").path("exceptionHistory").path("entries").forEach(out::add);
        return out;
    }

    /** The job's restart count (Flink's {@code numRestarts} metric). */
    public long restarts(String jobId) {
        for (JsonNode m : get("/jobs/" + jobId + "/metrics?get=numRestarts")) {
            return m.path("value").asLong();
        }
        return 0;
    }
}
