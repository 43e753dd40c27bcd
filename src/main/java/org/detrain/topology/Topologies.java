package org.detrain.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.detrain.util.DetrainException;
import org.detrain.util.Rng;

/** Factories for the communication graphs detrain knows, by shape and by config name. */
public final class Topologies {
    /** The names {@link #build} accepts for {@code topology}. */
    public static final List<String> NAMES =
            List.of("ring", "torus", "complete", "star", "path", "hypercube", "exponential", "erdos-renyi", "file");

    /**
     * Everything that can shape a graph: the name, the rank count, the torus sides (0 = factor n),
     * the Erdős–Rényi edge probability and seed, and the edge-list file.
     */
    public record Spec(String topology, int n, int rows, int cols, double edgeProbability, long seed, Path edgeFile) {
        public static Spec of(String topology, int n) {
            return new Spec(topology, n, 0, 0, 0.5, 1, null);
        }
    }

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
        return Graph.fromEdges("ring(" + n + ")", n, edges).withShape(new GraphShape.Circulant(n, new int[] {1}));
    }

    /**
     * The 2-D wrap-around grid with {@code rows x cols} ranks, rank = r·cols + c, each talking to
     * its up, down, left and right neighbours. A side of 1 degenerates to a ring of the other side; a
     * side of 2 gives a single (merged) neighbour in that direction.
     */
    public static Graph torus(int rows, int cols) {
        if (rows < 1 || cols < 1) {
            throw DetrainException.badInput("torus " + rows + "x" + cols + " has a side below 1: set"
                    + " topology.rows and topology.cols to positive numbers (or both to 0 to factor -np)");
        }
        long ranks = (long) rows * cols;
        if (ranks > Integer.MAX_VALUE) {
            throw DetrainException.badInput("torus " + rows + "x" + cols + " has more ranks than an int holds:"
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
        return Graph.fromEdges("torus(" + rows + "x" + cols + ")", n, edges).withShape(new GraphShape.Torus(rows, cols));
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
        return build(new Spec(topology, n, rows, cols, 0.5, 1, null));
    }

    /**
     * The most ranks a graph may have: every launch (and {@code detrain theory}) builds the dense n×n
     * mixing matrix and computes its spectrum, O(n²) memory and O(n³) time.
     */
    public static final int MAX_RANKS = 4096;

    /** Refuses more ranks than {@link #MAX_RANKS}: the first check of a launch, before anything is sized by n. */
    public static void requireSupportedRanks(int n) {
        if (n > MAX_RANKS) {
            throw DetrainException.badInput(n + " ranks is more than detrain supports (" + MAX_RANKS + "): the mixing"
                    + " matrix is a dense n x n matrix whose spectrum every launch computes; use at most " + MAX_RANKS);
        }
    }

    /** The graph a run's configuration asks for, any topology of {@link #NAMES}. */
    public static Graph build(Spec spec) {
        String topology = spec.topology();
        int n = spec.n();
        requireSupportedRanks(n);
        int rows = spec.rows();
        int cols = spec.cols();
        String name = topology == null ? "" : topology.strip().toLowerCase(Locale.ROOT);
        if (!name.equals("torus") && (rows != 0 || cols != 0)) {
            throw DetrainException.badInput("topology.rows/topology.cols (" + rows + "/" + cols
                    + ") apply only to topology=torus but topology=" + name + ": remove them or set topology=torus");
        }
        switch (name) {
            case "complete" -> {
                return complete(n);
            }
            case "star" -> {
                return star(n);
            }
            case "path" -> {
                return path(n);
            }
            case "hypercube" -> {
                return hypercube(n);
            }
            case "exponential" -> {
                return exponential(n);
            }
            case "erdos-renyi" -> {
                return erdosRenyi(n, spec.edgeProbability(), spec.seed());
            }
            case "file" -> {
                if (spec.edgeFile() == null) {
                    throw DetrainException.badInput("topology=file needs topology.file: the path of an edge list (one 'i j' pair per line)");
                }
                return fromEdgeList(spec.edgeFile(), n);
            }
            default -> {
            }
        }
        switch (name) {
            case "ring" -> {
                requireRanks("ring", n);
                if (rows != 0 || cols != 0) {
                    throw DetrainException.badInput("topology.rows/topology.cols (" + rows + "/" + cols
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
                    throw DetrainException.badInput("torus " + rows + "x" + cols + " is not a valid shape for -np "
                            + n + ": set both topology.rows and topology.cols to positive numbers with rows*cols = "
                            + n + ", or both to 0 to factor -np");
                }
                long needed = (long) rows * cols;
                if (needed != n) {
                    throw DetrainException.badInput("torus " + rows + "x" + cols + " needs " + needed
                            + " ranks but -np is " + n + ": pass -np " + needed
                            + " or set topology.rows/topology.cols so rows*cols = " + n);
                }
                return torus(rows, cols);
            }
            default -> throw DetrainException.badInput("unknown topology '" + topology + "': use one of "
                    + String.join(", ", NAMES));
        }
    }

    /** Every rank talks to every other. */
    public static Graph complete(int n) {
        requireRanks("complete graph", n);
        List<int[]> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                edges.add(new int[] {i, j});
            }
        }
        return Graph.fromEdges("complete(" + n + ")", n, edges.toArray(int[][]::new)).withShape(new GraphShape.Complete(n));
    }

    /** Rank 0 in the centre, every other rank talks to it only. */
    public static Graph star(int n) {
        requireRanks("star", n);
        int[][] edges = new int[Math.max(0, n - 1)][];
        for (int i = 1; i < n; i++) {
            edges[i - 1] = new int[] {0, i};
        }
        return Graph.fromEdges("star(" + n + ")", n, edges).withShape(new GraphShape.Star(n));
    }

    /** A ring cut open: i talks to i-1 and i+1, no wrap-around (diameter n-1). */
    public static Graph path(int n) {
        requireRanks("path", n);
        int[][] edges = new int[Math.max(0, n - 1)][];
        for (int i = 0; i + 1 < n; i++) {
            edges[i] = new int[] {i, i + 1};
        }
        return Graph.fromEdges("path(" + n + ")", n, edges).withShape(new GraphShape.Path(n));
    }

    /** The d-dimensional hypercube on n = 2^d ranks: i talks to i XOR 2^k. */
    public static Graph hypercube(int n) {
        requireRanks("hypercube", n);
        if (Integer.bitCount(n) != 1) {
            int lower = Integer.highestOneBit(n);
            throw DetrainException.badInput("a hypercube needs a power-of-two rank count but -np is " + n + ": use -np "
                    + lower + " or " + lower * 2 + ", or topology=exponential (any n)");
        }
        List<int[]> edges = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int bit = 1; bit < n; bit <<= 1) {
                edges.add(new int[] {i, i ^ bit});
            }
        }
        return Graph.fromEdges("hypercube(" + n + ")", n, edges.toArray(int[][]::new))
                .withShape(new GraphShape.Hypercube(Integer.numberOfTrailingZeros(n)));
    }

    /**
     * The static exponential graph: i talks to i ± 2^k (mod n) for every 2^k < n, so any n works and
     * the degree grows like 2·log2 n.
     */
    public static Graph exponential(int n) {
        requireRanks("exponential graph", n);
        List<int[]> edges = new ArrayList<>();
        List<Integer> hops = new ArrayList<>();
        for (long hop = 1; hop < n; hop <<= 1) {
            hops.add((int) hop);
        }
        for (int i = 0; i < n; i++) {
            for (int hop : hops) {
                edges.add(new int[] {i, (int) ((i + (long) hop) % n)});
            }
        }
        return Graph.fromEdges("exponential(" + n + ")", n, edges.toArray(int[][]::new))
                .withShape(new GraphShape.Circulant(n, hops.stream().mapToInt(Integer::intValue).toArray()));
    }

    /**
     * An Erdős–Rényi graph G(n, p), seeded: each pair is an edge with probability p; drawn again
     * (same stream) until connected, at most 1000 times.
     */
    public static Graph erdosRenyi(int n, double p, long seed) {
        requireRanks("Erdős–Rényi graph", n);
        if (!(p > 0 && p <= 1)) {
            throw DetrainException.badInput("topology.p = " + p + " is not an edge probability in (0, 1]: set topology.p");
        }
        Rng rng = Rng.of(seed, "erdos-renyi", n);
        String name = "erdos-renyi(" + n + ", p=" + p + ")";
        for (int attempt = 0; attempt < 1000; attempt++) {
            List<int[]> edges = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    if (rng.nextDouble() < p) {
                        edges.add(new int[] {i, j});
                    }
                }
            }
            Graph g = Graph.fromEdges(name, n, edges.toArray(int[][]::new));
            if (g.isConnected()) {
                return g;
            }
        }
        throw DetrainException.badInput("no connected Erdős–Rényi graph on " + n + " ranks with p = " + p
                + " in 1000 draws: raise topology.p (above about ln(n)/n)");
    }

    /**
     * A graph from an edge-list file: one "i j" pair per line (whitespace or comma separated, ranks
     * 0..n-1), '#' comments, blank lines ignored. Must be connected.
     */
    public static Graph fromEdgeList(Path file, int n) {
        requireRanks("edge-list graph", n);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw DetrainException.badInput("edge list " + file + " does not exist: set topology.file to an existing file");
        } catch (IOException e) {
            throw DetrainException.badInput("cannot read edge list " + file + ": " + e.getMessage(), e);
        }
        List<int[]> edges = new ArrayList<>();
        for (int k = 0; k < lines.size(); k++) {
            String line = lines.get(k).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("[\\s,]+");
            String where = file + ":" + (k + 1);
            if (f.length != 2) {
                throw DetrainException.badInput(where + ": '" + line + "' is not an edge 'i j'; write two rank numbers per line");
            }
            int[] e = new int[2];
            for (int q = 0; q < 2; q++) {
                try {
                    e[q] = Integer.parseInt(f[q]);
                } catch (NumberFormatException ex) {
                    throw DetrainException.badInput(where + ": '" + f[q] + "' is not a rank number");
                }
                if (e[q] < 0 || e[q] >= n) {
                    throw DetrainException.badInput(where + ": rank " + e[q] + " is outside 0.." + (n - 1)
                            + " for -np " + n + ": fix the file or -np");
                }
            }
            edges.add(e);
        }
        Graph g = Graph.fromEdges("file(" + file.getFileName() + ")", n, edges.toArray(int[][]::new));
        if (!g.isConnected()) {
            throw DetrainException.badInput("the graph in " + file + " is not connected on " + n
                    + " ranks: gossip cannot reach every rank; add edges (every rank 0.." + (n - 1) + " must be reachable)");
        }
        return g;
    }

    private static void requireRanks(String topology, int n) {
        if (n < 1) {
            throw DetrainException.badInput("a " + topology + " needs at least 1 rank but got " + n
                    + ": run with -np 1 or more");
        }
    }
}
