package org.detrain.data;

import java.util.Arrays;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;

/**
 * Divides a training set among ranks, with a tunable amount of label heterogeneity. Every shard is
 * returned sorted ascending, so a partition is a plain set per rank and the order in which a rank
 * visits its samples is left to its {@link BatchSampler}.
 */
public final class Partitioner {
    /** Dirichlet partitions are redrawn at most this many times to meet the minimum shard size. */
    public static final int DIRICHLET_ATTEMPTS = 100;

    private Partitioner() {
    }

    /**
     * The paper's "shuffled fraction" scheme (Lu &amp; De Sa 2021; see docs/results/README.md): stable-sort
     * the sample indices by label, shuffle only the first {@code floor(percent * N / 100)} entries of
     * that sorted sequence, then cut the whole sequence in order into {@code ranks} contiguous shards
     * of {@code floor(N / ranks)} samples each.
     *
     * <p>100% gives IID shards; 0% gives each rank a run of one or two classes (with 10 balanced
     * classes and 8 ranks). The {@code N mod ranks} samples at the end of the sequence are dropped,
     * so every rank gets the same number of samples; unless the shuffled prefix reaches them, they
     * are the last members of the highest class.
     *
     * @param labels label of every training sample, each non-negative
     * @param ranks number of shards, 1 to N
     * @param percent share of the sorted sequence to shuffle, in [0, 100]
     * @param rng source of the shuffle (used only when something is shuffled)
     */
    public static Partition shuffledFraction(int[] labels, int ranks, double percent, Rng rng) {
        int n = labels.length;
        checkRanks(ranks, n);
        if (!(percent >= 0 && percent <= 100)) {
            throw DetrainException.badInput("shuffled fraction " + percent + "% is outside [0, 100]: use 100 for IID data,"
                    + " 0 for fully label-sorted shards, or a value in between");
        }
        int[] order = stableSortByLabel(labels);
        // percent * n is exact for integer percents, so the floor is the mathematically exact one.
        int shuffled = (int) Math.floor(percent * n / 100.0);
        rng.shuffle(order, 0, shuffled);
        int size = n / ranks;
        int[][] shards = new int[ranks][];
        for (int r = 0; r < ranks; r++) {
            shards[r] = Arrays.copyOfRange(order, r * size, (r + 1) * size);
            Arrays.sort(shards[r]);
        }
        String scheme = "shuffled fraction " + formatNumber(percent) + "%"
                + (n % ranks == 0 ? "" : " (" + n % ranks + " trailing samples dropped)");
        return Partition.wrap(scheme, shards);
    }

    /**
     * Dirichlet label skew (Hsu et al. 2019): for each class, proportions p ~ Dir(alpha, …, alpha)
     * over the ranks; the class's samples are shuffled and split in those proportions. Small alpha
     * gives each rank few classes, large alpha approaches an even split. If some shard ends up with
     * fewer than {@code minShard} samples the whole partition is redrawn, up to
     * {@link #DIRICHLET_ATTEMPTS} times.
     *
     * @param labels label of every training sample, each in [0, classes)
     * @param classes number of classes
     * @param ranks number of shards, 1 to N
     * @param alpha concentration, positive
     * @param minShard smallest acceptable shard, 0 to N / ranks
     * @param rng source of the proportions and shuffles
     */
    public static Partition dirichlet(int[] labels, int classes, int ranks, double alpha, int minShard, Rng rng) {
        int n = labels.length;
        checkRanks(ranks, n);
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw DetrainException.badInput("Dirichlet alpha " + alpha + " must be a positive number: use e.g. 0.1 for"
                    + " strong label skew, 1 for moderate, 100 for nearly IID");
        }
        if (minShard < 0 || (long) minShard * ranks > n) {
            throw DetrainException.badInput("minimum shard size " + minShard + " cannot be met by " + ranks + " ranks"
                    + " sharing " + n + " samples: use a minimum between 0 and " + n / ranks);
        }
        int[][] byClass = indicesByClass(labels, classes);
        int smallest = 0;
        for (int attempt = 0; attempt < DIRICHLET_ATTEMPTS; attempt++) {
            int[][] shards = drawDirichlet(byClass, ranks, alpha, rng);
            smallest = Integer.MAX_VALUE;
            for (int[] shard : shards) {
                smallest = Math.min(smallest, shard.length);
            }
            if (smallest >= minShard) {
                return Partition.wrap("Dirichlet alpha=" + formatNumber(alpha) + ", minimum shard " + minShard, shards);
            }
        }
        throw DetrainException.badInput("Dirichlet partition with alpha=" + formatNumber(alpha) + " over " + ranks
                + " ranks left some rank with fewer than " + minShard + " samples in " + DIRICHLET_ATTEMPTS
                + " draws (smallest shard in the last draw: " + smallest + "): use a larger alpha, fewer ranks"
                + " or a smaller minimum shard size");
    }

    /** One draw of the Dirichlet partition; shards sorted ascending. */
    private static int[][] drawDirichlet(int[][] byClass, int ranks, double alpha, Rng rng) {
        int[][] parts = new int[ranks][];
        int[] filled = new int[ranks];
        int[][] countsPerClass = new int[byClass.length][];
        int[] totals = new int[ranks];
        double[] proportions = new double[ranks];
        for (int c = 0; c < byClass.length; c++) {
            drawProportions(proportions, alpha, rng);
            countsPerClass[c] = splitByProportions(byClass[c].length, proportions);
            for (int r = 0; r < ranks; r++) {
                totals[r] += countsPerClass[c][r];
            }
        }
        for (int r = 0; r < ranks; r++) {
            parts[r] = new int[totals[r]];
        }
        for (int c = 0; c < byClass.length; c++) {
            int[] members = byClass[c].clone();
            rng.shuffle(members, 0, members.length);
            int from = 0;
            for (int r = 0; r < ranks; r++) {
                int take = countsPerClass[c][r];
                System.arraycopy(members, from, parts[r], filled[r], take);
                filled[r] += take;
                from += take;
            }
        }
        for (int[] part : parts) {
            Arrays.sort(part);
        }
        return parts;
    }

    /** p ~ Dir(alpha) as normalised Gamma(alpha, 1) draws. */
    private static void drawProportions(double[] p, double alpha, Rng rng) {
        double sum = 0;
        for (int r = 0; r < p.length; r++) {
            p[r] = rng.nextGamma(alpha);
            sum += p[r];
        }
        if (sum > 0) {
            for (int r = 0; r < p.length; r++) {
                p[r] /= sum;
            }
            return;
        }
        // With a tiny alpha every Gamma draw can underflow to 0. The Dirichlet then puts all mass on
        // one vertex, chosen uniformly, which is the limit of Dir(alpha) as alpha -> 0.
        Arrays.fill(p, 0.0);
        p[rng.nextInt(p.length)] = 1.0;
    }

    /**
     * Splits {@code n} items by proportions with cumulative rounding: rank r gets
     * {@code round(n * P_{r+1}) - round(n * P_r)} where P is the running sum of p, and the last
     * boundary is n itself, so the counts add up to n exactly and none is negative.
     */
    static int[] splitByProportions(int n, double[] p) {
        int[] counts = new int[p.length];
        double cumulative = 0;
        long previous = 0;
        for (int r = 0; r < p.length; r++) {
            cumulative += p[r];
            long boundary = r == p.length - 1 ? n : Math.min(n, Math.round(cumulative * n));
            boundary = Math.max(boundary, previous);
            counts[r] = (int) (boundary - previous);
            previous = boundary;
        }
        return counts;
    }

    /** Indices 0..n-1 ordered by label, ties in index order (stable). */
    static int[] stableSortByLabel(int[] labels) {
        // Sorting (label, index) pairs packed in a long breaks ties by index, hence stable.
        long[] keys = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw DetrainException.badInput("sample " + i + " has the negative label " + labels[i]
                        + ": labels must be class numbers 0, 1, 2, ...");
            }
            keys[i] = ((long) labels[i] << 32) | i;
        }
        Arrays.sort(keys);
        int[] order = new int[labels.length];
        for (int k = 0; k < keys.length; k++) {
            order[k] = (int) keys[k];
        }
        return order;
    }

    private static int[][] indicesByClass(int[] labels, int classes) {
        if (classes < 1) {
            throw DetrainException.badInput("class count " + classes + " must be at least 1");
        }
        int[] counts = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i];
            if (label < 0 || label >= classes) {
                throw DetrainException.badInput("sample " + i + " has label " + label + ", outside 0.." + (classes - 1)
                        + ": pass the dataset's real class count");
            }
            counts[label]++;
        }
        int[][] byClass = new int[classes][];
        for (int c = 0; c < classes; c++) {
            byClass[c] = new int[counts[c]];
        }
        int[] filled = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            byClass[labels[i]][filled[labels[i]]++] = i;
        }
        return byClass;
    }

    private static void checkRanks(int ranks, int n) {
        if (ranks < 1) {
            throw DetrainException.badInput("rank count " + ranks + " must be at least 1: run with -np 1 or more");
        }
        if (ranks > n) {
            throw DetrainException.badInput(ranks + " ranks cannot share " + n + " training samples (each needs at least"
                    + " one): use at most " + n + " ranks or a larger training set");
        }
    }

    private static String formatNumber(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
