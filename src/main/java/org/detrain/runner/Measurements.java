package org.detrain.runner;

import org.detrain.comm.Communicator;
import org.detrain.data.Samples;
import org.detrain.model.Batch;
import org.detrain.model.Model;

/**
 * The collectives behind the metrics: the averaged model and the consensus distance, the distance
 * to a known optimum, test-set evaluations split over the ranks, and gathering one row per rank.
 * Every sum runs in rank order, so the results do not depend on the transport.
 */
final class Measurements {
    private Measurements() {
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

    /** ‖x̄ − x*‖ / ‖x*‖ in double, or NaN when the problem has no known optimum. */
    static double optimumDistance(float[] average, double[] optimum) {
        if (optimum == null) {
            return Double.NaN;
        }
        double diff = 0;
        double norm = 0;
        for (int k = 0; k < optimum.length; k++) {
            double d = average[k] - optimum[k];
            diff += d * d;
            norm += optimum[k] * optimum[k];
        }
        return Math.sqrt(diff) / Math.max(Math.sqrt(norm), Double.MIN_NORMAL);
    }

    /** Each rank evaluates {@code params} on its n-th of the data; rank 0 gets the sums (loss, correct) in rank order. */
    static double[] evaluateSlice(Communicator comm, Model model, float[] params, Samples data, Batch batch) {
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

    /**
     * {@code count} indices spread evenly over [0, size): ⌊k·size/count⌋ for k = 0 … count−1, or all
     * of them when count is 0 or at least size. The training objective is measured on these, the
     * same ones at every evaluation, so its series is comparable point to point and across runs.
     */
    static int[] evenlySpaced(int size, int count) {
        int m = count <= 0 || count >= size ? size : count;
        int[] out = new int[m];
        for (int k = 0; k < m; k++) {
            out[k] = (int) ((long) k * size / m);
        }
        return out;
    }

    /**
     * Collective: the mean loss of {@code params} (the same model on every rank) over the samples
     * {@code indices} of {@code data}, each rank taking its n-th of them; rank 0 gets the mean
     * (summed in rank order), the others NaN.
     */
    static double meanLossSplit(Communicator comm, Model model, float[] params, Samples data, int[] indices,
                                Batch batch) {
        int n = comm.size();
        int r = comm.rank();
        int from = (int) ((long) indices.length * r / n);
        int to = (int) ((long) indices.length * (r + 1) / n);
        double[] all = gatherRows(comm, new double[] {lossOver(model, params, data, indices, from, to, batch)});
        if (r != 0) {
            return Double.NaN;
        }
        double total = 0;
        for (double v : all) {
            total += v;
        }
        return total / indices.length;
    }

    /** Sum of the losses of {@code params} over the samples indices[from, to) of {@code data}. */
    static double lossOver(Model model, float[] params, Samples data, int[] indices, int from, int to, Batch batch) {
        double[] acc = new double[2];
        int capacity = batch.capacity();
        for (int i = from; i < to; i += capacity) {
            int count = Math.min(capacity, to - i);
            batch.fill(data, indices, i, count);
            model.evaluate(params, batch, acc);
        }
        return acc[0];
    }

    /** Sums of (loss, correct) of {@code params} over samples [from, to), a batch at a time. */
    static double[] evaluateRange(Model model, float[] params, Samples data, int from, int to, Batch batch) {
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
    static double[] gatherRows(Communicator comm, double[] row) {
        double[] all = comm.rank() == 0 ? new double[comm.size() * row.length] : new double[0];
        comm.gather(row, all, row.length, 0);
        return all;
    }
}
