package io.vxflow.job.cli;

/** A mistake the user can fix (a missing file, a bad value): printed as one line, exit code 2. */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }
}
