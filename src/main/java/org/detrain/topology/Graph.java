package org.detrain.topology;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.TreeSet;

import org.detrain.util.DetrainException;

/**
 * An immutable undirected simple graph on the ranks {@code 0..n-1}: who gossips with whom.
 *
 * <p>Built with {@link #fromEdges}, which merges duplicate edges and drops self-loops, because small
 * rings and tori name the same neighbour twice (a ring of 2, a torus side of 2) or name a rank as its
 * own neighbour (a ring of 1, a torus side of 1); such a neighbour must be gossiped with once.
 */
public final class Graph {
    private final String name;
    /** Sorted, unique, never containing the row's own rank; never handed out without a copy. */
    private final int[][] neighbours;
    /** The structure {@link Topologies} built it with, when its spectrum has a closed form; else null. */
    private final GraphShape shape;

    private Graph(String name, int[][] neighbours, GraphShape shape) {
        this.name = name;
        this.neighbours = neighbours;
        this.shape = shape;
    }

    /**
     * A graph on {@code n} ranks with the given undirected edges {@code {i, j}}. Duplicate edges (in
     * either orientation) are merged and self-loops dropped.
     *
     * @throws DetrainException if {@code n < 1}, an edge does not have two ends, or an end is not a rank
     */
    public static Graph fromEdges(String name, int n, int[][] edges) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(edges, "edges");
        if (n < 1) {
            throw DetrainException.badInput("graph " + name + " needs at least 1 rank but got n = " + n
                    + ": run with -np 1 or more");
        }
        @SuppressWarnings("unchecked")
        TreeSet<Integer>[] sets = new TreeSet[n];
        for (int i = 0; i < n; i++) {
            sets[i] = new TreeSet<>();
        }
        for (int e = 0; e < edges.length; e++) {
            int[] edge = edges[e];
            if (edge == null || edge.length != 2) {
                throw DetrainException.badInput("graph " + name + ": edge #" + e + " is "
                        + Arrays.toString(edge) + ", not a pair {i, j}: give every edge as two ranks");
            }
            int a = edge[0];
            int b = edge[1];
            if (a < 0 || a >= n || b < 0 || b >= n) {
                throw DetrainException.badInput("graph " + name + ": edge #" + e + " {" + a + ", " + b
                        + "} names a rank outside 0.." + (n - 1) + ": use ranks below n = " + n);
            }
            if (a != b) {
                sets[a].add(b);
                sets[b].add(a);
            }
        }
        int[][] adjacency = new int[n][];
        for (int i = 0; i < n; i++) {
            adjacency[i] = sets[i].stream().mapToInt(Integer::intValue).toArray();
        }
        return new Graph(name, adjacency, null);
    }

    /** The same graph, known to have {@code shape} (the factory that built it vouches for that). */
    Graph withShape(GraphShape shape) {
        return new Graph(name, neighbours, shape);
    }

    /** The structure whose Laplacian spectrum is known in closed form, or null for an arbitrary graph. */
    public GraphShape shape() {
        return shape;
    }

    /** Number of ranks n. */
    public int size() {
        return neighbours.length;
    }

    /** Human-readable name, e.g. {@code ring(8)} or {@code torus(2x4)}. */
    public String name() {
        return name;
    }

    /** Neighbours of rank {@code i}, ascending, unique, excluding {@code i} (a fresh copy). */
    public int[] neighbours(int i) {
        return neighbours[checkRank(i)].clone();
    }

    /** Number of distinct neighbours of rank {@code i}. */
    public int degree(int i) {
        return neighbours[checkRank(i)].length;
    }

    /** Largest degree over all ranks (0 for a single rank). */
    public int maxDegree() {
        int max = 0;
        for (int[] row : neighbours) {
            max = Math.max(max, row.length);
        }
        return max;
    }

    /** Smallest degree over all ranks (0 for a single rank). */
    public int minDegree() {
        int min = Integer.MAX_VALUE;
        for (int[] row : neighbours) {
            min = Math.min(min, row.length);
        }
        return min;
    }

    /** Whether every rank has the same degree. */
    public boolean isRegular() {
        return minDegree() == maxDegree();
    }

    /** Whether {@code i} and {@code j} are joined by an edge; always false for {@code i == j}. */
    public boolean hasEdge(int i, int j) {
        checkRank(j);
        return Arrays.binarySearch(neighbours[checkRank(i)], j) >= 0;
    }

    /** Number of (undirected, distinct) edges. */
    public int edgeCount() {
        int twice = 0;
        for (int[] row : neighbours) {
            twice += row.length;
        }
        return twice / 2;
    }

    /** Every edge once as {@code {i, j}} with {@code i < j}, in lexicographic order. */
    public int[][] edges() {
        int[][] result = new int[edgeCount()][];
        int k = 0;
        for (int i = 0; i < neighbours.length; i++) {
            for (int j : neighbours[i]) {
                if (i < j) {
                    result[k++] = new int[] {i, j};
                }
            }
        }
        return result;
    }

    /** The 0/1 adjacency matrix (n x n, zero diagonal, symmetric), a fresh copy. */
    public int[][] adjacencyMatrix() {
        int n = size();
        int[][] a = new int[n][n];
        for (int i = 0; i < n; i++) {
            for (int j : neighbours[i]) {
                a[i][j] = 1;
            }
        }
        return a;
    }

    /** Whether every rank can reach every other rank (a single rank is connected). */
    public boolean isConnected() {
        for (int d : hopDistances(0)) {
            if (d < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The largest hop distance between two ranks (0 for a single rank), by a breadth-first search
     * from every rank: O(n·(n + edges)), fine for the rank counts MPI jobs have.
     *
     * @throws DetrainException if the graph is not connected (the diameter would be infinite)
     */
    public int diameter() {
        int diameter = 0;
        for (int source = 0; source < size(); source++) {
            int[] distance = hopDistances(source);
            for (int target = 0; target < distance.length; target++) {
                if (distance[target] < 0) {
                    throw DetrainException.badInput("graph " + name + " is not connected (rank " + target
                            + " cannot reach rank " + source + "), so it has no finite diameter and gossip"
                            + " cannot reach consensus: use a connected topology such as ring or torus");
                }
                diameter = Math.max(diameter, distance[target]);
            }
        }
        return diameter;
    }

    /** Hop distance from {@code source} to every rank, -1 where unreachable. */
    private int[] hopDistances(int source) {
        int[] distance = new int[size()];
        Arrays.fill(distance, -1);
        distance[source] = 0;
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        queue.add(source);
        while (!queue.isEmpty()) {
            int u = queue.poll();
            for (int v : neighbours[u]) {
                if (distance[v] < 0) {
                    distance[v] = distance[u] + 1;
                    queue.add(v);
                }
            }
        }
        return distance;
    }

    private int checkRank(int i) {
        if (i < 0 || i >= neighbours.length) {
            throw DetrainException.badInput("rank " + i + " is not in graph " + name + " (ranks 0.."
                    + (neighbours.length - 1) + "): use a rank below " + neighbours.length);
        }
        return i;
    }

    /** Equal when the names and the edge sets on the same rank count are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Graph g && name.equals(g.name) && Arrays.deepEquals(neighbours, g.neighbours);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.deepHashCode(neighbours);
    }

    @Override
    public String toString() {
        return name + " (" + size() + " ranks, " + edgeCount() + " edges)";
    }
}
