package io.vxflow.job.bench;

/** A process the benchmark started failed or ended early; the message is the one line to show, and names the process's log. */
public final class ChildFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ChildFailedException(String message) {
        super(message);
    }
}
