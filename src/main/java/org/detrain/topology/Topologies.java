package org.detrain.topology;

import java.util.List;
import java.util.Locale;

import org.detrain.util.DetrainException;

/** Factories for the communication graphs detrain knows, by shape and by config name. */
public final class Topologies {
    /** The names {@link #build} accepts for {@code topology}. */
    public static final List<String> NAMES = List.of("ring", "torus");

    private Topologies() {
    }

    /**
     * The ring (cycle) on {@code n} ranks: rank i talks to i-1 and i+1 modulo n. A ring of 1 has no
     * edges and a ring of 2 has one edge (both "sides" are the same rank, merged once).
     */
    public static Graph ring(int n) {
        requireRanks("ring", n);
        int[][] edges = new int[n][];
        for (int i = 0; i < n; i++) {
            edges[i] = new int[] {i, (i + 1) % n};
        }
        return Graph.fromEdges("ring(" + n + ")", n, edges);
    }

    /**
     * The 2-D wrap-around grid with {@code rows x cols} ranks, rank = r·cols + c, each talking to
     * its up, down, left and right neighbours. A side of 1 degenerates to a ring of the other side; a
     * side of 2 gives a single (merged) neighbour in that direction.
     */
    public static Graph torus(int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw new DetrainException("torus " + rows + "x" + cols + " has a side below 1: set"
                    + " topology.rows and topology.cols to positive numbers (or both to 0 to factor -np)");
        }
        long ranks = (long) rows * cols;
        if (ranks > Integer.MAX_VALUE) {
            throw new DetrainException("torus " + rows + "x" + cols + " has more ranks than an int holds:"
                    + " choose a smaller topology.rows/topology.cols");
        }
        int n = (int) ranks;
        int[][] edges = new int[2 * n][];
        int k = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int rank = r * cols + c;
                // Right and down only: left and up are the same edges seen from the other end.
                edges[k++] = new int[] {rank, r * cols + (c + 1) % cols};
                edges[k++] = new int[] {rank, ((r + 1) % rows) * cols + c};
            }
        }
        return Graph.fromEdges("torus(" + rows + "x" + cols + ")", n, edges);
    }

    /**
     * The most square factorization of {@code n} as {@code {rows, cols}} with rows <= cols: rows is
     * the largest divisor of n that is at most sqrt(n). A prime n gives {@code {1, n}}, a ring.
     */
    public static int[] torusShape(int n) {
        requireRanks("torus", n);
        int rows = 1;
        for (int d = 1; (long) d * d <= n; d++) {
            if (n % d == 0) {
                rows = d;
            }
        }
        return new int[] {rows, n / rows};
    }

    /**
     * The graph a run's configuration asks for.
     *
     * @param topology one of {@link #NAMES} (case-insensitive)
     * @param n        the rank count (-np)
     * @param rows     torus rows, or 0 together with {@code cols = 0} to factor n by {@link #torusShape};
     *                 must be 0 for a ring
     * @param cols     torus columns, see {@code rows}
     * @throws DetrainException for an unknown name, a rank count below 1, or torus sides that do not
     *                          multiply to n
     */
    public static Graph build(String topology, int n, int rows, int cols) {
        String name = topology == null ? "" : topology.strip().toLowerCase(Locale.ROOT);
        switch (name) {
            case "ring" -> {
                requireRanks("ring", n);
                if (rows != 0 || cols != 0) {
                    throw new DetrainException("topology.rows/topology.cols (" + rows + "/" + cols
                            + ") apply only to topology=torus but topology=ring: remove them or set topology=torus");
                }
                return ring(n);
            }
            case "torus" -> {
                requireRanks("torus", n);
                if (rows == 0 && cols == 0) {
                    int[] shape = torusShape(n);
                    return torus(shape[0], shape[1]);
                }
                if (rows <= 0 || cols <= 0) {
                    throw new DetrainException("torus " + rows + "x" + cols + " is not a valid shape for -np "
                            + n + ": set both topology.rows and topology.cols to positive numbers with rows*cols = "
                            + n + ", or both to 0 to factor -np");
                }
                long needed = (long) rows * cols;
                if (needed != n) {
                    throw new DetrainException("torus " + rows + "x" + cols + " needs " + needed
                            + " ranks but -np is " + n + ": pass -np " + needed
                            + " or set topology.rows/topology.cols so rows*cols = " + n);
                }
                return torus(rows, cols);
            }
            default -> throw new DetrainException("unknown topology '" + topology + "': use one of "
                    + String.join(", ", NAMES));
        }
    }

    private static void requireRanks(String topology, int n) {
        if (n < 1) {
            throw new DetrainException("a " + topology + " needs at least 1 rank but got " + n
                    + ": run with -np 1 or more");
        }
    }
}
