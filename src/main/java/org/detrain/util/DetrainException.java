package org.detrain.util;

/**
 * The one unchecked exception of detrain. Its message names the problem and what to do about it;
 * the CLI catches it once, prints the message (with the rank where there is one) and exits with
 * {@link #exitCode()}.
 */
public class DetrainException extends RuntimeException {
    /** Exit code for bad input: arguments, config, data files, results directory. */
    public static final int BAD_INPUT = 2;
    /** Exit code for a failure while running (a rank failed, a peer was lost, a numeric blow-up). */
    public static final int RUN_FAILED = 3;
    /**
     * Exit code for a run that stopped on request (SIGUSR1 or SIGTERM, as Slurm sends before a
     * preemption or the time limit) after writing a complete checkpoint: resume it with
     * {@code detrain train --resume <run-dir>}. 75 is EX_TEMPFAIL of sysexits.h, "try again later".
     */
    public static final int STOPPED = 75;

    private final int exitCode;

    private DetrainException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** Bad input: arguments, config, data files, checkpoints, results directory (exit 2). */
    public static DetrainException badInput(String message) {
        return new DetrainException(message, BAD_INPUT, null);
    }

    /** Bad input found while handling {@code cause} (exit 2). */
    public static DetrainException badInput(String message, Throwable cause) {
        return new DetrainException(message, BAD_INPUT, cause);
    }

    /** A failure while running: a rank failed, a peer was lost, a write failed, a numeric blow-up (exit 3). */
    public static DetrainException runFailure(String message, Throwable cause) {
        return new DetrainException(message, RUN_FAILED, cause);
    }

    /** A run that stopped on request after a complete checkpoint (exit {@value #STOPPED}). */
    public static DetrainException stopped(String message) {
        return new DetrainException(message, STOPPED, null);
    }

    public int exitCode() {
        return exitCode;
    }
}
