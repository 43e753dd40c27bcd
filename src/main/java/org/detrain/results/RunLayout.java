package org.detrain.results;

import java.nio.file.Path;

/**
 * Where everything of one run lives under {@code results/<run-id>/}:
 * <pre>
 *   config.properties   resolved configuration (every key), read by the ranks
 *   run.properties      how it was launched: ranks, transport, commit, time, host
 *   metrics.h5          metrics, provenance, topology, partition (rank 0, atomic rewrites every few
 *                       seconds while the run goes, and at its end)
 *   metrics.jsonl       the same records and evaluations, one JSON object per line as they are taken
 *                       (appended by rank 0; rebuilt from the checkpoint when a run resumes)
 *   log/rank-N.log      one log per rank; log/mpj.log: MPJ Express's own output
 *   status/rank-N.done  written by a rank that finished; rank-N.failed holds its error
 *   status/rank-N.stopped  a rank that stopped on request after a complete checkpoint
 *   status/rank-N.pid   "pid host" of the rank's JVM, so the launcher can notice a vanished rank
 *   status/stop-request written (by the launcher or a rank's signal handler) to ask the ranks to
 *                       checkpoint and stop at the next agreed iteration boundary
 *   ckpt/it-NNNNNNNNNN/ one checkpoint set: rank-N.h5 per rank, manifest.properties when complete
 * </pre>
 */
public record RunLayout(Path root) {
    /**
     * The run id of task {@code index} of a sweep ({@code task-007}): the run directories inside a
     * sweep directory, locally and on Slurm (where index is the array index).
     */
    public static String taskRunId(int index) {
        return String.format("task-%03d", index);
    }

    public Path config() {
        return root.resolve("config.properties");
    }

    public Path launch() {
        return root.resolve("run.properties");
    }

    public Path metrics() {
        return root.resolve("metrics.h5");
    }

    /** The line-per-record stream beside {@link #metrics()}. */
    public Path metricsLines() {
        return root.resolve("metrics.jsonl");
    }

    public Path logDir() {
        return root.resolve("log");
    }

    public Path rankLog(int rank) {
        return logDir().resolve("rank-" + rank + ".log");
    }

    public Path mpjLog() {
        return logDir().resolve("mpj.log");
    }

    public Path statusDir() {
        return root.resolve("status");
    }

    public Path done(int rank) {
        return statusDir().resolve("rank-" + rank + ".done");
    }

    public Path failed(int rank) {
        return statusDir().resolve("rank-" + rank + ".failed");
    }

    public Path stopped(int rank) {
        return statusDir().resolve("rank-" + rank + ".stopped");
    }

    public Path pid(int rank) {
        return statusDir().resolve("rank-" + rank + ".pid");
    }

    public Path stopRequest() {
        return statusDir().resolve("stop-request");
    }

    public Path checkpoints() {
        return root.resolve("ckpt");
    }

    /** Scratch space of the launcher (the job secret of a niodev job, private to the user); removed after the run. */
    public Path scratch() {
        return root.resolve(".launch");
    }
}
