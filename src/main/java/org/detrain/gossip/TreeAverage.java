package org.detrain.gossip;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.detrain.comm.Communicator;
import org.detrain.kernel.VectorOps;
import org.detrain.topology.Graph;

/**
 * DeFacto's factorization of the exact average 11ᵀ/n into R = 2h sparse steps on a breadth-first
 * spanning tree (root 0, height h) of the run's own graph: h gather steps move subtree sums up one
 * level at a time (the root divides by n in the last), then h propagate steps copy the average down
 * one level at a time. Every step only uses tree edges, which are graph edges, so
 * W_{R−1} ⋯ W_1 W_0 = 11ᵀ/n with each W_r supported on the graph. D ≤ R ≤ 2D for diameter D.
 */
public final class TreeAverage {
    private final int n;
    private final int[] parent;
    private final int[] depth;
    private final int[][] children;
    private final int height;

    public TreeAverage(Graph graph) {
        n = graph.size();
        parent = new int[n];
        depth = new int[n];
        Arrays.fill(depth, -1);
        List<List<Integer>> kids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            kids.add(new ArrayList<>());
        }
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        depth[0] = 0;
        parent[0] = -1;
        queue.add(0);
        int h = 0;
        while (!queue.isEmpty()) {
            int v = queue.poll();
            for (int u : graph.neighbours(v)) { // ascending, so the tree is deterministic
                if (depth[u] < 0) {
                    depth[u] = depth[v] + 1;
                    parent[u] = v;
                    kids.get(v).add(u);
                    h = Math.max(h, depth[u]);
                    queue.add(u);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (depth[i] < 0) {
                throw new IllegalArgumentException("graph " + graph.name() + " is not connected");
            }
        }
        children = new int[n][];
        for (int i = 0; i < n; i++) {
            children[i] = kids.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        height = h;
    }

    /** Tree height h. */
    /** Each rank's parent in the spanning tree (−1 for the root, rank 0). */
    public long[] parents() {
        long[] out = new long[parent.length];
        for (int i = 0; i < parent.length; i++) {
            out[i] = parent[i];
        }
        return out;
    }

    public int height() {
        return height;
    }

    /** Number of factors R = 2h (1 for a single rank: the identity). */
    public int steps() {
        return Math.max(1, 2 * height);
    }

    public int depth(int rank) {
        return depth[rank];
    }

    /** Factor W_r as a dense matrix (for tests and the theory report). */
    public double[][] factor(int r) {
        double[][] w = new double[n][n];
        for (int i = 0; i < n; i++) {
            w[i][i] = 1;
        }
        if (height == 0) {
            return w;
        }
        if (r < height) {
            int level = height - r;
            for (int v = 0; v < n; v++) {
                if (depth[v] == level) {
                    w[v][v] = 0;
                    w[parent[v]][v] = 1;
                }
            }
            if (level == 1) {
                for (int j = 0; j < n; j++) {
                    w[0][j] /= n;
                }
            }
        } else {
            int level = r - height + 1;
            for (int v = 0; v < n; v++) {
                if (depth[v] == level) {
                    w[v][v] = 0;
                    w[v][parent[v]] = 1;
                }
            }
        }
        return w;
    }

    /** Performs factor step r on this rank's vector z (length {@code count}) in place. */
    public void step(Communicator comm, VectorOps ops, int r, float[] z, int count, float[][] recv, int tag) {
        if (height == 0) {
            return;
        }
        int i = comm.rank();
        if (r < height) {
            int level = height - r;
            boolean sends = depth[i] == level;
            boolean receives = depth[i] == level - 1 && children[i].length > 0;
            int[] to = sends ? new int[] {parent[i]} : new int[0];
            int[] from = receives ? children[i] : new int[0];
            comm.exchange(to, sends ? new float[][] {z} : new float[0][], from, recv, count, tag);
            if (sends) {
                Arrays.fill(z, 0, count, 0f);
            } else if (receives) {
                float own = level == 1 ? 1f / n : 1f;
                float[] weights = new float[from.length];
                Arrays.fill(weights, own);
                ops.weightedSum(z, own, z, weights, Arrays.copyOf(recv, from.length), count);
            }
        } else {
            int level = r - height + 1;
            boolean sends = depth[i] == level - 1 && children[i].length > 0;
            boolean receives = depth[i] == level;
            int[] to = sends ? children[i] : new int[0];
            float[][] payload = new float[to.length][];
            Arrays.fill(payload, z);
            int[] from = receives ? new int[] {parent[i]} : new int[0];
            comm.exchange(to, payload, from, recv, count, tag);
            if (receives) {
                System.arraycopy(recv[0], 0, z, 0, count);
            }
        }
    }
}
