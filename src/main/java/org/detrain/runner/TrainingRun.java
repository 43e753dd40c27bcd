package org.detrain.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.detrain.algo.Algorithm;
import org.detrain.algo.AlgorithmState;
import org.detrain.comm.Communicator;
import org.detrain.comm.RankProgram;
import org.detrain.config.RunConfig;
import org.detrain.data.Samples;
import org.detrain.io.LaunchInfo;
import org.detrain.io.RunLayout;
import org.detrain.model.Batch;
import org.detrain.model.Model;
import org.detrain.util.DetrainException;

/**
 * The program every rank runs: builds the run from {@code config.properties}, owns the iteration
 * loop, records metrics at the logging cadence, evaluates at the evaluation cadence, and has rank 0
 * write {@code metrics.h5}.
 */
public final class TrainingRun implements RankProgram {
    private static final int EVAL_BATCH = 500;
    /** Progress lines the launcher renders; everything else a rank prints goes to log/mpj.log. */
    public static final String PROGRESS = "@@progress";
    private static final long PROGRESS_INTERVAL_NANOS = 500_000_000L;

    private RunLayout layout;
    private RankLog log;

    @Override
    public void run(Communicator comm, String[] args) throws Exception {
        layout = new RunLayout(Path.of(args[0]));
        int rank = comm.rank();
        int n = comm.size();
        log = RankLog.open(layout.rankLog(rank), rank);
        long setupStart = System.nanoTime();
        RunConfig config = RunConfig.fromFile(layout.config());
        LaunchInfo launch = LaunchInfo.read(layout.launch());
        if (launch.ranks() != n) {
            throw new DetrainException("the launch record says " + launch.ranks() + " ranks but MPJ started " + n
                    + "; relaunch with bin/detrain");
        }
        log.info("host " + comm.hostName() + ", transport " + comm.transport() + ", config hash " + config.hash());
        RunPlan plan = RunPlan.build(config, n);
        RankSetup setup = new RankSetup(plan, comm);
        Model model = setup.model;
        int dim = setup.dim;
        Algorithm algorithm = setup.algorithm;
        AlgorithmState state = setup.state;
        SamplingOracle oracle = setup.oracle;
        Samples train = plan.train();

        MetricsLog metrics = new MetricsLog(plan, launch, comm.gatherStrings(comm.hostName(), 0),
                comm.gatherStrings(setup.computeDevice, 0), rank == 0);
        long iterations = plan.iterations();
        int logEvery = config.getInt("log.every");
        long evalEvery = config.getInt("eval.every") > 0 ? config.getInt("eval.every") : plan.iterationsPerEpoch();
        boolean evalLocal = config.getBoolean("eval.local");
        Batch evalBatch = new Batch(EVAL_BATCH, train.featureCount());
        float[] average = new float[dim];
        metrics.setupSeconds((System.nanoTime() - setupStart) / 1e9);
        log.info(String.format("d=%d, %d iterations (%d per epoch), neighbours %s, shard %d samples, device %s",
                dim, iterations, plan.iterationsPerEpoch(), java.util.Arrays.toString(setup.gossip.peers()),
                plan.partition().shardSize(rank), setup.computeDevice));

        comm.barrier(); // start the clock together
        long start = System.nanoTime();
        long lastProgress = 0;
        double windowLoss = 0;
        int windowSteps = 0;
        double smoothedLoss = 0;
        for (long t = 0; t < iterations; t++) {
            comm.setActivity("iteration " + t);
            double loss = algorithm.step(state, t);
            if (!Double.isFinite(loss)) {
                throw DetrainException.runFailure("rank " + rank + ": the training loss is " + loss + " at iteration " + t
                        + "; lower lr (now " + config.get("lr") + ")", null);
            }
            state.setIteration(t + 1);
            windowLoss += loss;
            windowSteps++;
            smoothedLoss = t == 0 ? loss : 0.9 * smoothedLoss + 0.1 * loss; // for the progress line only
            long done = t + 1;
            boolean last = done == iterations;
            if (done % logEvery == 0 || last) {
                double consensus = consensusAndAverage(comm, algorithm.model(state), average, dim, false);
                double[] mine = {windowLoss / windowSteps, oracle.lastGradNorm(), comm.bytesSent(),
                        comm.messagesSent(), oracle.computeNanos() / 1e9, comm.waitNanos() / 1e9};
                double[] all = gatherRows(comm, mine);
                metrics.recordStep(done, plan.epochAt(done), (System.nanoTime() - start) / 1e9, consensus, all);
                windowLoss = 0;
                windowSteps = 0;
            }
            if (done % evalEvery == 0 || last) {
                comm.setActivity("evaluation after iteration " + t);
                consensusAndAverage(comm, algorithm.model(state), average, dim, true);
                double[] global = evaluateSlice(comm, model, average, plan.test(), evalBatch);
                double[] local = evalLocal ? evaluateRange(model, algorithm.model(state), plan.test(), 0,
                        plan.test().size(), evalBatch) : new double[] {Double.NaN, Double.NaN};
                double[] allLocal = gatherRows(comm, new double[] {local[0] / plan.test().size(),
                        plan.test().classCount() > 0 ? local[1] / plan.test().size() : Double.NaN});
                boolean classification = plan.test().classCount() > 0; // regression has no accuracy: NaN
                metrics.recordEval(done, plan.epochAt(done), (System.nanoTime() - start) / 1e9,
                        global[0] / plan.test().size(), classification ? global[1] / plan.test().size() : Double.NaN,
                        allLocal);
                if (rank == 0) {
                    metrics.write(layout.metrics(), false);
                }
            }
            if (rank == 0 && (System.nanoTime() - lastProgress > PROGRESS_INTERVAL_NANOS || last)) {
                lastProgress = System.nanoTime();
                System.out.printf("%s %d %d %.4f %.6g %.3f %s%n", PROGRESS, done, iterations, plan.epochAt(done),
                        smoothedLoss, (lastProgress - start) / 1e9, metrics.lastAccuracyText());
            }
        }
        comm.setActivity("final write");
        if (rank == 0) {
            metrics.write(layout.metrics(), true);
        }
        comm.barrier(); // nobody reports success before the results are in place
        setup.close();
        log.info(String.format("done: %d iterations in %.3f s (compute %.3f s, comm wait %.3f s, %d bytes sent)",
                iterations, (System.nanoTime() - start) / 1e9, oracle.computeNanos() / 1e9, comm.waitNanos() / 1e9,
                comm.bytesSent()));
        writeStatus(layout.done(rank), "ok\n");
        log.close();
    }

    @Override
    public void reportFailure(int rank, Throwable failure) {
        String message = failure instanceof DetrainException ? failure.getMessage()
                : "rank " + rank + " failed: " + failure;
        try {
            if (log != null) {
                log.error(message, failure);
            }
            if (layout != null) {
                StringWriter trace = new StringWriter();
                failure.printStackTrace(new PrintWriter(trace));
                writeStatus(layout.failed(rank), message + "\n" + trace);
            } else {
                System.err.println("detrain rank " + rank + ": " + message);
            }
        } catch (RuntimeException | IOException e) {
            System.err.println("detrain rank " + rank + ": " + message + " (and could not record it: " + e + ")");
        }
    }

    private static void writeStatus(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Gathers every rank's model to rank 0, which averages in rank order (double accumulators) and
     * returns the consensus distance (1/n) Σ_i ‖x_i − x̄‖². With {@code share}, x̄ is broadcast
     * into {@code average} on every rank. Other ranks return NaN.
     */
    static double consensusAndAverage(Communicator comm, float[] x, float[] average, int dim, boolean share) {
        int n = comm.size();
        float[] all = comm.rank() == 0 ? new float[n * dim] : new float[0];
        comm.gather(x, all, dim, 0);
        double consensus = Double.NaN;
        if (comm.rank() == 0) {
            double[] mean = new double[dim];
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < dim; k++) {
                    mean[k] += all[r * dim + k];
                }
            }
            for (int k = 0; k < dim; k++) {
                average[k] = (float) (mean[k] / n);
            }
            double total = 0;
            for (int r = 0; r < n; r++) {
                for (int k = 0; k < dim; k++) {
                    double diff = all[r * dim + k] - mean[k] / n;
                    total += diff * diff;
                }
            }
            consensus = total / n;
        }
        if (share) {
            comm.broadcast(average, dim, 0);
        }
        return consensus;
    }

    /** Each rank evaluates {@code params} on its n-th of the data; sums (loss, correct) in rank order. */
    private static double[] evaluateSlice(Communicator comm, Model model, float[] params, Samples data, Batch batch) {
        int n = comm.size();
        int r = comm.rank();
        int from = (int) ((long) data.size() * r / n);
        int to = (int) ((long) data.size() * (r + 1) / n);
        double[] mine = evaluateRange(model, params, data, from, to, batch);
        double[] all = gatherRows(comm, mine);
        double[] total = new double[2];
        if (r == 0) {
            for (int q = 0; q < n; q++) {
                total[0] += all[2 * q];
                total[1] += all[2 * q + 1];
            }
        }
        return total;
    }

    private static double[] evaluateRange(Model model, float[] params, Samples data, int from, int to, Batch batch) {
        double[] acc = new double[2];
        int capacity = batch.capacity();
        for (int i = from; i < to; i += capacity) {
            int count = Math.min(capacity, to - i);
            batch.fillRange(data, i, count);
            model.evaluate(params, batch, acc);
        }
        return acc;
    }

    /** Rank 0 gets every rank's row (rank-major); others get an empty array. */
    private static double[] gatherRows(Communicator comm, double[] row) {
        double[] all = comm.rank() == 0 ? new double[comm.size() * row.length] : new double[0];
        comm.gather(row, all, row.length, 0);
        return all;
    }
}
