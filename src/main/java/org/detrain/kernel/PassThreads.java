package org.detrain.kernel;

/**
 * How the Java engine spreads one pass over its threads: the pass's outputs (samples, weight rows,
 * output positions, …) are split into one contiguous range per thread of a {@link ThreadTeam} (the
 * caller's thread takes the first), each thread with its own scratch array. A thread always
 * computes whole outputs, never part of a sum, so the results are the same bits for any thread
 * count. With one thread no team exists and a split is a plain call.
 */
final class PassThreads implements AutoCloseable {
    /** A pass body over the outputs [from, to), with the running thread's scratch. */
    @FunctionalInterface
    interface Body {
        void run(int from, int to, Scratch scratch);
    }

    /** One thread's scratch: grown on demand, never shrunk. */
    static final class Scratch {
        private float[] floats = new float[0];

        float[] floats(int size) {
            if (floats.length < size) {
                floats = new float[size];
            }
            return floats;
        }
    }

    private final ThreadTeam team;
    private final Scratch[] scratch;
    /** One array for all threads (a transposed matrix or batch), filled before a split reads it. */
    private float[] shared = new float[0];

    PassThreads(int threads) {
        int count = Math.max(1, threads);
        scratch = new Scratch[count];
        for (int t = 0; t < count; t++) {
            scratch[t] = new Scratch();
        }
        team = count == 1 ? null : new ThreadTeam(count, "detrain-java-kernel");
    }

    /** Runs body over [0, count) in one contiguous range per thread and returns when all are done. */
    void split(int count, Body body) {
        if (team == null || count <= 1) {
            body.run(0, count, scratch[0]);
            return;
        }
        team.run(count, (member, from, to) -> body.run(from, to, scratch[member]));
    }

    /** The shared array, at least {@code size} floats (its contents are undefined). */
    float[] shared(int size) {
        if (shared.length < size) {
            shared = new float[size];
        }
        return shared;
    }

    @Override
    public void close() {
        if (team != null) {
            team.close();
        }
    }
}
