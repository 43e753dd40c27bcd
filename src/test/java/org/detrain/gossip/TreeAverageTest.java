package org.detrain.gossip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.detrain.topology.Graph;
import org.detrain.topology.Topologies;
import org.junit.jupiter.api.Test;

/** DeFacto's factors: their product is the exact average 11ᵀ/n and each lives on the graph. */
class TreeAverageTest {
    @Test
    void productOfTheFactorsIsTheExactAverageOnManyGraphs() {
        List<Graph> graphs = List.of(Topologies.ring(1), Topologies.ring(2), Topologies.ring(7), Topologies.ring(16),
                Topologies.torus(3, 4), Topologies.torus(2, 2), Topologies.star(6), Topologies.path(5),
                Topologies.complete(5), Topologies.hypercube(8), Topologies.erdosRenyi(11, 0.3, 4),
                Topologies.exponential(10));
        for (Graph g : graphs) {
            int n = g.size();
            TreeAverage tree = new TreeAverage(g);
            double[][] product = identity(n);
            for (int r = 0; r < tree.steps(); r++) {
                double[][] w = tree.factor(r);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        if (i != j && w[i][j] != 0) {
                            assertTrue(g.hasEdge(i, j), g.name() + ": factor " + r + " uses non-edge " + i + "-" + j);
                        }
                    }
                }
                product = multiply(w, product);
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(1.0 / n, product[i][j], 1e-12, g.name() + " entry " + i + "," + j);
                }
            }
            if (n > 1) {
                int d = g.diameter();
                assertTrue(tree.steps() >= d && tree.steps() <= 2 * d, g.name() + ": R = " + tree.steps() + ", D = " + d);
            }
        }
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            m[i][i] = 1;
        }
        return m;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }
}
