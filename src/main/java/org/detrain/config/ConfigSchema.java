package org.detrain.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every configuration key detrain understands. Unknown keys are errors, never ignored. */
public final class ConfigSchema {
    private static final double INF = Double.MAX_VALUE;

    public static final List<KeySpec> KEYS = List.of(
            KeySpec.longValue("seed", 1, 0, "seed for the initial model, the partition and the samplers"),
            KeySpec.choice("topology", "ring", List.of("ring", "torus"), "communication graph"),
            KeySpec.integer("topology.rows", 0, 0, Integer.MAX_VALUE, "torus rows (0: factor -np as squarely as possible)"),
            KeySpec.integer("topology.cols", 0, 0, Integer.MAX_VALUE, "torus columns (0: factor -np)"),
            KeySpec.choice("weights", "metropolis", List.of("metropolis", "lazy", "uniform"),
                    "mixing weights: Metropolis-Hastings, lazy Metropolis, or uniform 1/(d+1)"),
            KeySpec.positive("weights.kappa", "1", 1, "kappa-slack: W <- kappa*W + (1-kappa)*I"),
            KeySpec.choice("algorithm", "dpsgd", List.of("dpsgd"), "training algorithm"),
            KeySpec.choice("model", "softmax", List.of("softmax", "linear", "mlp", "lenet"),
                    "softmax regression, linear least squares (synthetic-lsq), an MLP (model.hidden, ReLU) or LeNet-5 (28x28x1 or 32x32x3 images)"),
            KeySpec.choice("dataset", "fashion-mnist", List.of("fashion-mnist", "synthetic-lsq"),
                    "training data"),
            KeySpec.string("dataset.dir", "data/fashion-mnist", "directory of the Fashion-MNIST IDX files (make data fills it)"),
            KeySpec.integer("synthetic.samples", 4096, 1, 100_000_000, "synthetic-lsq: training samples (test set: a quarter of it)"),
            KeySpec.integer("synthetic.features", 16, 1, 1_000_000, "synthetic-lsq: dimension of x"),
            KeySpec.real("synthetic.noise", "0", 0, INF, "synthetic-lsq: std. dev. of the label noise"),
            KeySpec.choice("partition", "shuffled", List.of("shuffled", "dirichlet"),
                    "how the training set is split over ranks"),
            KeySpec.real("partition.shuffled", "100", 0, 100,
                    "shuffled fraction X in percent: sort by label, shuffle the first X%, cut in order (100 = IID)"),
            KeySpec.positive("partition.alpha", "0.5", INF, "Dirichlet concentration (smaller = more skewed)"),
            KeySpec.integer("batch", 32, 1, Integer.MAX_VALUE, "mini-batch size per rank"),
            KeySpec.positive("lr", "0.1", INF, "step size gamma"),
            KeySpec.positive("epochs", "1", 1e6, "training length in epochs (one epoch: n*batch*iterations = training set size)"),
            KeySpec.integer("iterations", 0, 0, Integer.MAX_VALUE, "training length in iterations (0: from epochs)"),
            KeySpec.integer("log.every", 10, 1, Integer.MAX_VALUE, "iterations between metric records"),
            KeySpec.integer("eval.every", 0, 0, Integer.MAX_VALUE, "iterations between test evaluations (0: every epoch and at the end)"),
            KeySpec.bool("eval.local", true, "also evaluate every rank's local model on the test set"),
            KeySpec.real("comm.timeout", "60", 0.1, 86_400, "seconds a rank waits for a peer before declaring it lost"),
            KeySpec.choice("device", "java", List.of("auto", "gpu", "cpu", "jtp", "java"),
                    "where the kernels run: java (plain Java reference), jtp (Aparapi kernels on Java threads), cpu/gpu"
                            + " (Aparapi kernels on an OpenCL CPU/GPU device), auto (best OpenCL device, GPUs first)"),
            KeySpec.string("model.hidden", "128", "model=mlp: hidden layer widths, comma-separated (e.g. 256,128)"),
            KeySpec.integer("threads", 1, 1, 256, "device=java: threads per rank for the mlp/lenet passes"
                    + " (results do not depend on it; keep ranks x threads <= cores)"));

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
        String best = null;
        int bestDistance = 4;
        for (String k : BY_NAME.keySet()) {
            int d = editDistance(name, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
