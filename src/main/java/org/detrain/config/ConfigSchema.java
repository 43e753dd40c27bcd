package org.detrain.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrain.util.Spelling;

/** Every configuration key detrain understands. Unknown keys are errors, never ignored. */
public final class ConfigSchema {
    private static final double INF = Double.MAX_VALUE;

    public static final List<KeySpec> KEYS = List.of(
            KeySpec.longValue("seed", 1, 0, "seed for the initial model, the partition, the samplers and random graphs"),
            KeySpec.choice("topology", "ring", List.of("ring", "torus", "complete", "star", "path", "hypercube",
                    "exponential", "erdos-renyi", "file"), "communication graph"),
            KeySpec.integer("topology.rows", 0, 0, Integer.MAX_VALUE, "torus rows (0: factor -np as squarely as possible)"),
            KeySpec.integer("topology.cols", 0, 0, Integer.MAX_VALUE, "torus columns (0: factor -np)"),
            KeySpec.positive("topology.p", "0.5", 1, "erdos-renyi: edge probability (the graph is redrawn until connected)"),
            KeySpec.string("topology.file", "", "file: edge list, one 'i j' rank pair per line"),
            KeySpec.choice("weights", "metropolis", List.of("metropolis", "lazy", "uniform"),
                    "mixing weights: Metropolis-Hastings, lazy Metropolis, or uniform 1/(d+1)"),
            KeySpec.positive("weights.kappa", "1", 1, "kappa-slack: W <- kappa*W + (1-kappa)*I"),
            KeySpec.choice("algorithm", "dpsgd", List.of("dpsgd", "d2", "dsgt", "sgp", "detag", "defacto", "allreduce"),
                    "training algorithm"),
            KeySpec.integer("gossip.rounds", 1, 1, 1000, "dpsgd: gossip rounds per iteration (accelerated when gossip.eta > 0)"),
            KeySpec.autoOrReal("gossip.eta", "0", 0, 0.999, "dpsgd: accelerated-gossip eta for gossip.rounds (0: plain gossip; auto: the eta in [0, (1-sqrt(1-l^2))/(1+sqrt(1-l^2))] whose rounds contract W most)"),
            KeySpec.wordOrInteger("detag.R", "auto", List.of("auto", "theory"), 1, 100_000, "detag: phase length R (gossip rounds per phase); auto: the smallest R (1 or 2) whose gossip phase leaves the step as stable as on a consensus; theory: ceil(ln(n)/(2 sqrt(1-lambda))) (Corollary 6), at most 16"),
            KeySpec.autoOrReal("detag.eta", "auto", 0, 0.999, "detag: accelerated-gossip eta; auto: the eta in [0, (1-sqrt(1-l^2))/(1+sqrt(1-l^2))] that keeps every eigenmode of W as stable as the consensus and then contracts most over R rounds"),
            KeySpec.bool("gossip.allow.unstable", false, "dpsgd/detag: run gossip rounds (gossip.rounds/gossip.eta, detag.R/detag.eta) that expand some eigenmode of W (diverges at any lr; refused otherwise)"),
            KeySpec.integer("detag.R.initial", 0, 0, 100_000, "detag: dynamic phase length, R used before detag.R.switch (0: detag.R throughout)"),
            KeySpec.real("detag.R.switch", "0", 0, 1e6, "detag: epoch at which the phase length grows from detag.R.initial to detag.R"),
            KeySpec.choice("sgp.graph", "exponential", List.of("exponential", "topology"),
                    "sgp: one-peer time-varying directed exponential graph, or the configured topology as a static graph"),
            KeySpec.choice("model", "softmax", List.of("softmax", "linear", "logistic", "mlp", "lenet"),
                    "softmax regression; linear least squares (synthetic-lsq, synthetic-hlsq); L2-regularised logistic"
                            + " regression (synthetic-logreg); an MLP (model.hidden, ReLU) or LeNet-5 (28x28x1 or 32x32x3 images)"),
            KeySpec.real("model.l2", "0.01", 0, INF, "logistic: L2 regularisation mu/2 ||x||^2 in every rank's objective"),
            KeySpec.choice("dataset", "fashion-mnist", List.of("fashion-mnist", "cifar10", "synthetic-lsq", "synthetic-hlsq",
                    "synthetic-logreg"), "training data"),
            KeySpec.string("dataset.dir", "auto", "directory of the dataset's files; auto: data/fashion-mnist (make data"
                    + " fills it) or data/cifar-10-batches-bin (you put CIFAR-10's binary version there)"),
            KeySpec.integer("synthetic.samples", 4096, 1, 100_000_000,
                    "synthetic: training samples (synthetic-lsq: in all; hlsq/logreg: per rank); test sets are a quarter"),
            KeySpec.integer("synthetic.features", 16, 1, 2048, "synthetic: dimension of x (at most 2048: the exact optimum"
                    + " solves the d x d normal equations)"),
            KeySpec.real("synthetic.noise", "0", 0, INF, "synthetic-lsq/hlsq: std. dev. of the label noise"),
            KeySpec.real("synthetic.heterogeneity", "1", 0, INF,
                    "synthetic-hlsq/logreg: how far each rank's own optimum (hlsq) or feature mean (logreg) is from the others"),
            KeySpec.choice("partition", "auto", List.of("auto", "shuffled", "dirichlet", "by-rank"),
                    "how the training set is split over ranks (auto: by-rank for per-rank synthetic data, else shuffled)"),
            KeySpec.real("partition.shuffled", "100", 0, 100,
                    "shuffled fraction X in percent: sort by label, shuffle the first X%, cut in order (100 = IID)"),
            KeySpec.positive("partition.alpha", "0.5", INF, "Dirichlet concentration (smaller = more skewed)"),
            KeySpec.integer("batch", 32, 1, Integer.MAX_VALUE, "mini-batch size per rank"),
            KeySpec.bool("gradient.exact", false, "full-batch gradients of the rank's whole shard (batch is ignored)"),
            KeySpec.positive("lr", "0.1", INF, "step size gamma"),
            KeySpec.real("momentum", "0", 0, 0.999, "heavy-ball momentum beta (DeTAG: on the phase gradient, DeTAGM)"),
            KeySpec.real("weight.decay", "0", 0, INF, "L2 weight decay added to every gradient"),
            KeySpec.real("warmup.epochs", "0", 0, 1e6, "epochs at warmup.lr before lr"),
            KeySpec.positive("warmup.lr", "1e-5", INF, "step size during warm-up"),
            KeySpec.string("lr.decay.epochs", "", "comma-separated epochs at which the step size is multiplied by lr.decay"),
            KeySpec.positive("lr.decay", "0.1", 1, "step-decay factor"),
            KeySpec.positive("epochs", "1", 1e6, "training length in epochs (one epoch: n*batch*iterations = training set size)"),
            KeySpec.integer("iterations", 0, 0, Integer.MAX_VALUE, "training length in iterations (0: from epochs)"),
            KeySpec.integer("log.every", 10, 1, Integer.MAX_VALUE, "iterations between metric records"),
            KeySpec.integer("eval.every", 0, 0, Integer.MAX_VALUE, "iterations between test evaluations (0: every epoch and at the end)"),
            KeySpec.bool("eval.local", true, "also evaluate every rank's local model on the test set"),
            KeySpec.integer("eval.train.samples", 10_000, 0, Integer.MAX_VALUE, "training samples, evenly spaced over the"
                    + " training set, on which every evaluation measures the training objective f(x_bar) (and each rank"
                    + " f_i(x_i) on as many of its own shard's, divided by the ranks); 0: all of them"),
            KeySpec.bool("save.models", true, "write the final averaged and per-rank models into metrics.h5 (/models)"),
            KeySpec.real("comm.timeout", "30", 0.1, 86_400, "seconds a rank waits for a peer before declaring it lost"),
            KeySpec.choice("device", "java", List.of("auto", "gpu", "cpu", "jtp", "java"),
                    "where the kernels run: java (plain Java reference), jtp (Aparapi kernels on Java threads), cpu/gpu"
                            + " (Aparapi kernels on an OpenCL CPU/GPU device), auto (best OpenCL device, GPUs first)"),
            KeySpec.string("model.hidden", "128", "model=mlp: hidden layer widths, comma-separated (e.g. 256,128)"),
            KeySpec.integer("threads", 1, 1, 256, "device=java: threads per rank for the mlp/lenet passes"
                    + " (results do not depend on it; keep ranks x threads <= cores)"),
            KeySpec.integer("checkpoint.every", 0, 0, Integer.MAX_VALUE,
                    "iterations between checkpoints of every rank's state (0: by time, see checkpoint.minutes);"
                            + " also at the end and on SIGUSR1/SIGTERM"),
            KeySpec.positive("checkpoint.minutes", "10", 1e6, "with checkpoint.every=0: minutes between checkpoints"),
            KeySpec.integer("checkpoint.keep", 2, 1, 1000, "complete checkpoint sets kept (older ones are deleted)"));

    private static final Map<String, KeySpec> BY_NAME = new LinkedHashMap<>();

    static {
        for (KeySpec k : KEYS) {
            BY_NAME.put(k.name(), k);
        }
    }

    private ConfigSchema() {
    }

    public static KeySpec find(String name) {
        return BY_NAME.get(name);
    }

    /** The known key closest to a misspelt one (edit distance ≤ 3), or null. */
    static String closest(String name) {
        return Spelling.closest(name, BY_NAME.keySet(), 3);
    }
}
