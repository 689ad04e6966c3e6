package io.vxflow.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What the job's own Flink REST API says about it ({@code vxflow run} on a local MiniCluster,
 * started with {@code -Drest.port}): whether every task is RUNNING, which in Flink means every
 * operator has opened (models loaded, engines deserialized, pools allocated), and how often the job
 * failed. Owns an HTTP client.
 */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String base;

    FlinkRest(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    /** The job's state and task counts, or null while the REST endpoint is not up or no job is submitted. */
    JobState job() {
        JsonNode jobs = get("/jobs/overview");
        if (jobs == null || jobs.path("jobs").isEmpty()) {
            return null;
        }
        JsonNode j = jobs.path("jobs").get(0);
        JsonNode tasks = j.path("tasks");
        return new JobState(j.path("jid").asText(), j.path("state").asText(), tasks.path("running").asInt(), tasks.path("total").asInt());
    }

    /** Failures in the job's exception history (each one restarted the job, or ended it); -1 if unknown. */
    long failures(String jobId) {
        JsonNode e = get("/jobs/" + jobId + "/exceptions?maxExceptions=1000");
        return e == null ? -1 : e.path("exceptionHistory").path("entries").size();
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A job's state ({@code RUNNING}, {@code FAILED}...) and how many of its tasks run. */
    record JobState(String id, String state, int running, int total) {
        boolean allTasksRunning() {
            return state.equals("RUNNING") && total > 0 && running == total;
        }

        boolean terminal() {
            return state.equals("FAILED") || state.equals("CANCELED") || state.equals("FINISHED");
        }
    }
}
