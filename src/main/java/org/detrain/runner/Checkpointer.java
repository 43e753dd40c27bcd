package org.detrain.runner;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.detrain.algo.AlgorithmState;
import org.detrain.comm.Communicator;
import org.detrain.data.BatchSampler;
import org.detrain.io.CheckpointStore;
import org.detrain.io.H5Group;
import org.detrain.results.LaunchInfo;
import org.detrain.util.DetrainException;

/**
 * Writes and reads one rank's share of a checkpoint set, and runs the collective protocol that
 * makes a set complete.
 *
 * <p>A rank's file holds, generically, everything a bit-exact restart needs: every named buffer
 * and scalar of its {@link AlgorithmState} and its iteration; its sampler (generator state,
 * position, pass, permutation); the loop's carried values (the loss window since the last metric
 * record, counters of bytes and messages sent, measured times); and on rank 0 the metric series
 * recorded so far, so that the resumed run's {@code metrics.h5} continues seamlessly.
 *
 * <p>Saving (every rank calls {@link #save} at the same iteration): each rank refuses a state with
 * NaN or infinity in it, writes its file atomically and reports "ok size sha256" or its error to
 * rank 0; only if every rank succeeded does rank 0 write the manifest that marks the set complete
 * and delete sets beyond {@code checkpoint.keep}; rank 0 then broadcasts the outcome so that all
 * ranks either carry on or stop with the same message. A failed save never touches the previous
 * complete set.
 */
final class Checkpointer {
    private final CheckpointStore store;
    private final Communicator comm;
    private final String configHash;
    private final String runId;
    private final LaunchInfo launch;
    private final int keep;
    private long lastComplete = -1;

    /**
     * The loop's values that a restart must carry on with (all but the state and sampler): the loss
     * window since the last record, this rank's counters and times, and the loop's clock.
     */
    record Carried(double windowLoss, long windowSteps, long bytesSent, long messagesSent, double computeSeconds,
                   double waitSeconds, LoopClock.Times times) {
        static final Carried START = new Carried(0, 0, 0, 0, 0, 0, LoopClock.Times.ZERO);
    }

    Checkpointer(CheckpointStore store, Communicator comm, String configHash, LaunchInfo launch, int keep) {
        this.store = store;
        this.comm = comm;
        this.configHash = configHash;
        this.runId = launch.runId();
        this.launch = launch;
        this.keep = keep;
    }

    /** The newest set this run completed or resumed from, or -1. */
    long lastComplete() {
        return lastComplete;
    }

    void resumedFrom(long iteration) {
        lastComplete = iteration;
    }

    /**
     * Collective: writes the set for {@code iteration}. Throws the same {@link DetrainException}
     * (a run failure) on every rank if any rank could not write its file or rank 0 the manifest.
     */
    void save(long iteration, String reason, AlgorithmState state, BatchSampler sampler, Carried carried,
              MetricsLog metrics) {
        int rank = comm.rank();
        String report;
        try {
            H5Group content = snapshot(iteration, state, sampler, carried, metrics);
            CheckpointStore.FileDigest d = store.writeRank(
                    new CheckpointStore.Header(configHash, comm.size(), rank, iteration), content);
            report = "ok " + d.bytes() + " " + d.sha256();
        } catch (DetrainException e) {
            report = "error " + e.getMessage();
        } catch (RuntimeException e) {
            report = "error unexpected " + e;
        }
        String[] reports = comm.gatherStrings(report, 0);
        String outcome = "";
        if (rank == 0) {
            outcome = finish(iteration, reason, reports);
        }
        outcome = comm.broadcastString(outcome, 0);
        if (!outcome.isEmpty()) {
            throw DetrainException.runFailure(outcome, null);
        }
        lastComplete = iteration;
    }

    /** Rank 0: manifest and pruning if every rank wrote its file; else the failure message ("" means success). */
    private String finish(long iteration, String reason, String[] reports) {
        List<String> errors = new ArrayList<>();
        List<CheckpointStore.FileDigest> files = new ArrayList<>();
        for (int r = 0; r < reports.length; r++) {
            String[] parts = reports[r].split(" ", 3);
            if (parts[0].equals("ok") && parts.length == 3) {
                files.add(new CheckpointStore.FileDigest(Long.parseLong(parts[1]), parts[2]));
            } else {
                errors.add("rank " + r + ": " + (parts.length > 1 ? reports[r].substring(parts[0].length() + 1) : reports[r]));
            }
        }
        if (errors.isEmpty()) {
            try {
                store.writeManifest(new CheckpointStore.Manifest(iteration, reports.length, configHash, runId, reason,
                        Instant.now().toString(), files));
                store.prune(keep);
                return "";
            } catch (DetrainException e) {
                errors.add("rank 0: " + e.getMessage());
            }
        }
        return "could not write the checkpoint for iteration " + iteration + ":\n" + String.join("\n", errors) + "\n"
                + (lastComplete >= 0 ? "the last complete checkpoint (iteration " + lastComplete + ", "
                + store.setDir(lastComplete) + ") is intact" : "there is no earlier complete checkpoint");
    }

    private H5Group snapshot(long iteration, AlgorithmState state, BatchSampler sampler, Carried c, MetricsLog metrics) {
        if (state.iteration() != iteration) {
            throw new IllegalStateException("state is at iteration " + state.iteration() + ", not " + iteration);
        }
        H5Group root = new H5Group();
        root.attr("run_id", runId);
        root.attr("written_at", Instant.now().toString());
        root.attr("detrain_version", launch.detrainVersion());
        root.attr("git_commit", launch.gitCommit());
        H5Group s = root.group("state");
        s.attr("iteration", state.iteration());
        H5Group buffers = s.group("buffers");
        for (Map.Entry<String, float[]> e : state.buffers().entrySet()) {
            checkFinite(e.getKey(), e.getValue(), iteration);
            buffers.dataset(e.getKey(), e.getValue());
        }
        H5Group scalars = s.group("scalars");
        for (Map.Entry<String, Double> e : state.scalars().entrySet()) {
            if (!Double.isFinite(e.getValue())) {
                throw nonFinite("scalar '" + e.getKey() + "'", iteration);
            }
            scalars.attr(e.getKey(), e.getValue().doubleValue());
        }
        H5Group smp = root.group("sampler");
        smp.attr("rng_state", sampler.rngState());
        smp.attr("position", (long) sampler.position());
        smp.attr("pass", sampler.pass());
        smp.attr("batch", (long) sampler.batch());
        smp.dataset("permutation", sampler.permutation());
        H5Group k = root.group("carried");
        k.attr("window_loss", c.windowLoss());
        k.attr("window_steps", c.windowSteps());
        k.attr("bytes_sent", c.bytesSent());
        k.attr("messages_sent", c.messagesSent());
        k.attr("compute_time", c.computeSeconds());
        k.attr("comm_wait_time", c.waitSeconds());
        k.attr("wall_time", c.times().wall());
        k.attr("eval_time", c.times().evaluation());
        k.attr("record_time", c.times().record());
        k.attr("metrics_io_time", c.times().metricsIo());
        k.attr("checkpoint_time", c.times().checkpoint());
        if (comm.rank() == 0) {
            metrics.saveTo(root.group("metrics"));
        }
        return root;
    }

    private static double secondsOrZero(H5Group carried, String name) {
        return carried.hasAttribute(name) ? carried.getAttribute(name, Double.class) : 0;
    }

    private void checkFinite(String name, float[] values, long iteration) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw nonFinite("buffer '" + name + "'", iteration);
            }
        }
    }

    private DetrainException nonFinite(String what, long iteration) {
        return DetrainException.runFailure("state " + what + " holds NaN or infinity at iteration " + iteration
                + ": the run diverged, so it is not checkpointed; lower lr", null);
    }

    /**
     * Reads this rank's file of the set at {@code iteration} (checksum and header checked) and
     * restores the state, the sampler (through {@code oracle}) and, on rank 0, the metric series.
     * Every buffer and scalar the freshly initialised algorithm created must be in the file with
     * the same length; buffers in the file that init did not create are created.
     */
    Carried restore(long iteration, AlgorithmState state, SamplingOracle oracle, int[] shard, MetricsLog metrics) {
        CheckpointStore.Header header = new CheckpointStore.Header(configHash, comm.size(), comm.rank(), iteration);
        H5Group root = store.readRank(header);
        String file = store.rankFile(iteration, comm.rank()).toString();
        try {
            H5Group s = root.getGroup("state");
            if (s.getAttribute("iteration", Long.class) != iteration) {
                throw DetrainException.badInput(file + ": state iteration " + s.getAttribute("iteration") + " is not " + iteration);
            }
            H5Group buffers = s.getGroup("buffers");
            for (Map.Entry<String, float[]> e : state.buffers().entrySet()) {
                if (!buffers.hasDataset(e.getKey())) {
                    throw DetrainException.badInput(file + " lacks the algorithm's state buffer '" + e.getKey()
                            + "' (written by another algorithm or detrain version?)");
                }
            }
            for (String name : buffers.datasetNames()) {
                float[] saved = buffers.getDataset(name, float[].class);
                float[] target = state.buffers().containsKey(name) ? state.buffer(name) : state.buffer(name, saved.length);
                if (target.length != saved.length) {
                    throw DetrainException.badInput(file + ": state buffer '" + name + "' has " + saved.length
                            + " values but this run's model needs " + target.length);
                }
                System.arraycopy(saved, 0, target, 0, saved.length);
            }
            H5Group scalars = s.getGroup("scalars");
            for (String name : state.scalars().keySet()) {
                if (!scalars.hasAttribute(name)) {
                    throw DetrainException.badInput(file + " lacks the algorithm's state scalar '" + name + "'");
                }
            }
            for (String name : scalars.attributeNames()) {
                state.setScalar(name, scalars.getAttribute(name, Double.class));
            }
            state.setIteration(iteration);

            H5Group smp = root.getGroup("sampler");
            BatchSampler sampler = BatchSampler.restore(shard, (int) (long) smp.getAttribute("batch", Long.class),
                    smp.getAttribute("rng_state", Long.class), (int) (long) smp.getAttribute("position", Long.class),
                    smp.getAttribute("pass", Long.class), smp.getDataset("permutation", int[].class));
            oracle.restoreSampler(sampler);

            if (comm.rank() == 0) {
                metrics.restoreFrom(root.getGroup("metrics"));
            }
            H5Group k = root.getGroup("carried");
            lastComplete = iteration;
            // checkpoints written before the loop's time was split count all of it as training
            LoopClock.Times times = new LoopClock.Times(k.getAttribute("wall_time", Double.class),
                    secondsOrZero(k, "eval_time"), secondsOrZero(k, "record_time"), secondsOrZero(k, "metrics_io_time"),
                    secondsOrZero(k, "checkpoint_time"));
            return new Carried(k.getAttribute("window_loss", Double.class), k.getAttribute("window_steps", Long.class),
                    k.getAttribute("bytes_sent", Long.class), k.getAttribute("messages_sent", Long.class),
                    k.getAttribute("compute_time", Double.class), k.getAttribute("comm_wait_time", Double.class), times);
        } catch (DetrainException e) {
            throw e.getMessage().contains(file) ? e
                    : DetrainException.badInput("checkpoint " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw DetrainException.badInput("checkpoint " + file + " does not fit this run: " + e.getMessage()
                    + "; resume from another checkpoint set or start afresh", e);
        }
    }
}
