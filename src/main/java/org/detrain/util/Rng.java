package org.detrain.util;

/**
 * A small, fully specified pseudo-random generator (SplitMix64). Its whole state is one long, so a
 * checkpoint can store it and a restart continues the exact same stream; and unlike
 * java.util.Random or SplittableRandom, every derived draw (Gaussian, Gamma, shuffle) is defined
 * here, so results do not depend on the JDK's implementation choices.
 */
public final class Rng {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    /** A generator for an independent stream, e.g. {@code Rng.of(seed, "sampler", rank)}. */
    public static Rng of(long seed, String purpose, long index) {
        long h = mix(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < purpose.length(); i++) {
            h = mix(h + purpose.charAt(i));
        }
        return new Rng(mix(h + index * GOLDEN_GAMMA));
    }

    public long state() {
        return state;
    }

    public void setState(long state) {
        this.state = state;
    }

    public long nextLong() {
        state += GOLDEN_GAMMA;
        return mix(state);
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long limit = Long.divideUnsigned(-1L, bound) * bound;
        long r;
        do {
            r = nextLong();
        } while (Long.compareUnsigned(r, limit) >= 0 && limit != 0);
        return (int) Long.remainderUnsigned(r, bound);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal by Box–Muller; no cached spare, so the state stays one long. */
    public double nextGaussian() {
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Gamma(shape, 1) by Marsaglia–Tsang (with the shape &lt; 1 boost). */
    public double nextGamma(double shape) {
        if (!(shape > 0)) {
            throw new IllegalArgumentException("gamma shape must be positive: " + shape);
        }
        if (shape < 1.0) {
            double u;
            do {
                u = nextDouble();
            } while (u == 0.0);
            return nextGamma(shape + 1.0) * Math.pow(u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x = nextGaussian();
            double v = 1.0 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = nextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1.0 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /** Fisher–Yates shuffle of a[from, to). */
    public void shuffle(int[] a, int from, int to) {
        for (int i = to - 1; i > from; i--) {
            int j = from + nextInt(i - from + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
