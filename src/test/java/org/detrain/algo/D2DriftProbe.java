package org.detrain.algo;

import java.util.ArrayList;
import java.util.List;
import org.detrain.comm.local.LocalWorld;
import org.detrain.config.RunConfig;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.topology.Graph;
import org.detrain.topology.MixingMatrix;
import org.detrain.topology.Topologies;

/**
 * A measurement, not a test (docs/testing.md has the numbers): how far the float32 D² drifts from x*
 * over many iterations with exact gradients, for dyadic and non-dyadic weights, and what happens at
 * λmin = −1/3 exactly. Runs the real D2 (Algorithms.create over the in-process communicator; D² at
 * −1/3 is refused only before launch, by Algorithms.validate) on heterogeneous least squares with
 * exact gradients (n ranks x 64 samples, 16 features) and prints, at a few iterations,
 * ‖x̄ − x*‖/‖x*‖ and the consensus distance (1/n) Σ‖x_i − x̄‖² / ‖x*‖², next to the float64
 * reference network's.
 *
 * <pre>
 * mvn -o -q test-compile
 * java --add-modules jdk.incubator.vector -cp "target/classes:target/test-classes:target/lib/*" \
 *     org.detrain.algo.D2DriftProbe [iterations]
 * </pre>
 */
public final class D2DriftProbe {
    private static final int DIM = 16;
    private static final int SAMPLES = 64;

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        record Setup(String label, Graph graph, String weights, double kappa) {
        }
        List<Setup> setups = List.of(
                new Setup("ring(15) metropolis (weights 1/3)", Topologies.ring(15), "metropolis", 1),
                new Setup("torus(4x4) metropolis, kappa 0.8", Topologies.torus(4, 4), "metropolis", 0.8),
                new Setup("ring(16) lazy (dyadic 1/2, 1/4)", Topologies.ring(16), "lazy", 1),
                new Setup("torus(4x4) lazy (dyadic 1/2, 1/8)", Topologies.torus(4, 4), "lazy", 1),
                new Setup("ring(8) metropolis: lambda_min = -1/3", Topologies.ring(8), "metropolis", 1));
        int[] marks = {1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000};
        for (Setup s : setups) {
            MixingMatrix w = MixingMatrix.build(s.graph(), s.weights(), s.kappa());
            int n = s.graph().size();
            ReferenceProblem problem = ReferenceProblem.exact(ReferenceProblem.Kind.LEAST_SQUARES, n, DIM, SAMPLES, 11);
            double[] optimum = problem.optimum();
            double scale = norm(optimum);
            float[][][] at = new float[marks.length][n][];
            RunConfig config = RunConfig.load(null, List.of("algorithm=d2", "lr=0.05"));
            long t0 = System.nanoTime();
            LocalWorld.run(n, 60, comm -> {
                Context ctx = new Context(config, JavaVectorOps.INSTANCE, comm, w, w.spectrum(),
                        problem.oracle(comm.rank()), DIM, StepSize.constant(0.05));
                AlgorithmState state = new AlgorithmState();
                System.arraycopy(problem.start(), 0, state.buffer("x", DIM), 0, DIM);
                Algorithm d2 = Algorithms.create(ctx, state);
                d2.init(state);
                for (int t = 0; t < iterations; t++) {
                    d2.step(state, t);
                    for (int m = 0; m < marks.length; m++) {
                        if (t + 1 == marks[m]) {
                            at[m][comm.rank()] = state.buffer("x").clone();
                        }
                    }
                }
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            ReferenceNetwork net = new ReferenceNetwork(w.toArray(), DIM, problem.referenceGradients(),
                    ReferenceNetwork.Options.constant(0.05));
            ReferenceNetwork.Trajectory ref = net.d2(ExactIterateTest.toDouble(problem.start()),
                    Math.min(iterations, 20_000));
            System.out.printf("%s, lambda_min %.4f, %d iterations in %.1f s%n", s.label(), w.spectrum().lambdaMin(),
                    iterations, seconds);
            for (int m = 0; m < marks.length && marks[m] <= iterations; m++) {
                double[][] x = new double[n][];
                for (int i = 0; i < n; i++) {
                    x[i] = ExactIterateTest.toDouble(at[m][i]);
                }
                String reference = marks[m] <= ref.x.size() ? String.format("   float64: %.2e, %.2e",
                        distance(ref.x.get(marks[m] - 1), optimum) / scale, consensus(ref.x.get(marks[m] - 1)) / (scale * scale))
                        : "";
                System.out.printf("  t = %6d  |mean x - x*|/|x*| = %.2e  consensus = %.2e%s%n", marks[m],
                        distance(x, optimum) / scale, consensus(x) / (scale * scale), reference);
            }
        }
    }

    private static double[] mean(double[][] x) {
        double[] m = new double[x[0].length];
        for (double[] row : x) {
            for (int k = 0; k < m.length; k++) {
                m[k] += row[k] / x.length;
            }
        }
        return m;
    }

    private static double distance(double[][] x, double[] optimum) {
        double[] m = mean(x);
        double s = 0;
        for (int k = 0; k < m.length; k++) {
            s += (m[k] - optimum[k]) * (m[k] - optimum[k]);
        }
        return Math.sqrt(s);
    }

    private static double consensus(double[][] x) {
        double[] m = mean(x);
        double s = 0;
        for (double[] row : x) {
            for (int k = 0; k < m.length; k++) {
                s += (row[k] - m[k]) * (row[k] - m[k]);
            }
        }
        return s / x.length;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e * e;
        }
        return Math.sqrt(s);
    }

    private D2DriftProbe() {
    }
}
