package org.detrain.kernel;

import static org.detrain.kernel.NetProgram.STRIDE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain-Java reference twin of {@link NetKernel}: it interprets the same {@link NetProgram}
 * over the same buffer layout, computing every element with the same float32 operations in the
 * same order as the kernel (bias first, then the sum in ascending index order). Loops are nested so
 * that the innermost one runs over contiguous memory without a reduction ({@link Loops}). The
 * convolution and pooling passes work on copies of their tensors with the samples as the vector
 * lanes (see {@link LaneCopy}); the convolution's weight gradient adds each sample's sum in sample
 * order, as the kernel does.
 *
 * <p>With {@code threads > 1} each pass splits its outputs (samples, or weight rows) into contiguous
 * ranges, one per thread; every element is still computed by one thread in the same order, so the
 * results are the same bits for any thread count.
 */
final class JavaNet implements AutoCloseable {
    final float[] g;
    final float[] x;
    final float[] m;
    final float[] res;
    final int[] lab;
    final int cap;
    private final NetProgram program;
    private final int[] prog;
    private final int threads;
    private final ThreadTeam team;
    /** Per-thread scratch; two arrays because the JIT vectorises best when source and target differ. */
    private final Work[] work;
    /** Shared scratch (a transposed matrix; the inputs and position-major dz of a weight gradient), filled before a split. */
    private float[] shared = new float[0];
    /**
     * The convolution and pooling passes keep their tensors with the samples as vector lanes
     * ([element][sample], the batch padded to whole vectors), keyed by region base (−1: the input
     * batch); the dense passes use the row-major workspace. Each copy knows whether it or the
     * row-major one is current, and a pass converts only what it reads and finds stale.
     */
    private final Map<Integer, LaneCopy> copies = new HashMap<>();
    /** K transposed for the lane passes: coefT[term·out + o] with term = (c, ky, kx) or (o, ky, kx). */
    private float[] coefT = new float[0];
    /** Per convolution pass: its (term, coefficient) lists for the current lane count. */
    private final Map<Integer, int[][]> termLists = new HashMap<>();
    private int lastN = -1;
    private float[] p;
    private int nb;
    private float invN;

    /** One tensor's [element][sample] copy and which of it and the row-major tensor is current. */
    private static final class LaneCopy {
        final int key;
        final int per;
        float[] data = new float[0];
        int np;
        int n;
        boolean current;
        boolean rowsCurrent = true;

        LaneCopy(int key, int per) {
            this.key = key;
            this.per = per;
        }
    }

    private static final class Work {
        float[] a = new float[0];
        float[] b = new float[0];
        float[] c = new float[0];

        float[] a(int size) {
            if (a.length < size) {
                a = new float[size];
            }
            return a;
        }

        float[] b(int size) {
            if (b.length < size) {
                b = new float[size];
            }
            return b;
        }

        float[] c(int size) {
            if (c.length < size) {
                c = new float[size];
            }
            return c;
        }
    }

    /** A pass body over outputs [from, to) with thread-local scratch. */
    @FunctionalInterface
    private interface Part {
        void run(int from, int to, Work w);
    }

    JavaNet(NetProgram program, int capacity) {
        this(program, capacity, 1);
    }

    JavaNet(NetProgram program, int capacity, int threads) {
        this.program = program;
        this.prog = program.code;
        this.cap = capacity;
        this.threads = Math.max(1, threads);
        g = new float[program.dim];
        x = new float[capacity * program.inputSize];
        m = new float[capacity * program.workPerSample];
        res = new float[2 * capacity];
        lab = new int[capacity];
        work = new Work[this.threads];
        for (int t = 0; t < this.threads; t++) {
            work[t] = new Work();
        }
        team = this.threads == 1 ? null : new ThreadTeam(this.threads, "detrain-java-kernel");
    }

    /** Splits [0, count) into one contiguous range per thread; the caller's thread takes the first. */
    private void split(int count, Part part) {
        if (team == null || count <= 1) {
            part.run(0, count, work[0]);
            return;
        }
        team.run(count, (member, from, to) -> part.run(from, to, work[member]));
    }

    @Override
    public void close() {
        if (team != null) {
            team.close();
        }
    }

    /** Runs passes [0, passes) on the first n samples of {@link #x} with parameters p. */
    void run(float[] params, int n, int passes) {
        runRange(params, n, 0, passes);
    }

    /** Runs passes [from, to); for profiling single ops. */
    void runRange(float[] params, int n, int from, int to) {
        if (n != lastN) { // lane copies are laid out for a batch size
            syncRows();
            copies.values().forEach(c -> c.current = false);
            lastN = n;
        }
        LaneCopy input = copies.get(-1);
        if (input != null) {
            input.current = false; // the caller refills the batch
        }
        this.p = params;
        this.nb = n;
        this.invN = 1f / n;
        for (int pass = from; pass < to; pass++) {
            int o = pass * STRIDE;
            switch (prog[o]) {
                case NetProgram.DENSE_FWD -> denseForward(o);
                case NetProgram.XENT -> softmaxCrossEntropy(o);
                case NetProgram.DENSE_BWD_W -> denseBackwardWeights(o);
                case NetProgram.DENSE_BWD_IN -> denseBackwardInput(o);
                case NetProgram.CONV_FWD -> convForward(o);
                case NetProgram.POOL_FWD -> poolForward(o);
                case NetProgram.POOL_BWD -> poolBackward(o);
                case NetProgram.CONV_BWD_W -> convBackwardWeights(o);
                case NetProgram.CONV_BWD_IN -> convBackwardInput(o);
                default -> throw new IllegalStateException("op " + prog[o]);
            }
        }
    }

    NetProgram program() {
        return program;
    }

    private float[] src(int source) {
        return source == 1 ? x : m;
    }

    private float[] shared(int size) {
        if (shared.length < size) {
            shared = new float[size];
        }
        return shared;
    }

    /*
     * out[s,j] = act(b[j] + Σ_k W[j,k]·in[s,k]), k ascending. Layers wider than the batch run over j
     * with Wᵀ (out[s,:] += in[s,k]·Wᵀ[k,:]), the others over the samples with the batch transposed
     * (z[:] += W[j,k]·inᵀ[k,:]); either way each element sees the same additions in the same order.
     */
    private void denseForward(int o) {
        float[] in = src(prog[o + 2]);
        int inB = prog[o + 1] * cap;
        int kk = prog[o + 3];
        int outB = prog[o + 4] * cap;
        rowsOf(prog[o + 2], prog[o + 1]);
        wroteRows(prog[o + 4]);
        int jj = prog[o + 5];
        int wOff = prog[o + 6];
        boolean relu = prog[o + 7] == 1;
        int n = nb;
        int bOff = wOff + jj * kk;
        boolean inputMajor = prog[o + 8] == 1;
        // W input-major: out[s,:] = b + Σ_k in[s,k]·W[k,:], rows as stored, unless the batch fills whole
        // vectors better than the layer's width does (then over the samples below: fewer scalar tails)
        int lanes = Loops.LANES;
        boolean overSamples = n >= lanes && (jj < lanes || n % lanes < jj % lanes);
        if (inputMajor && !overSamples) {
            split(n, (from, to, w) -> {
                int s = from;
                for (; s + 4 <= to; s += 4) { // four samples share each load of W
                    int orow = outB + s * jj;
                    for (int q = 0; q < 4; q++) {
                        System.arraycopy(p, bOff, m, orow + q * jj, jj);
                    }
                    int irow = inB + s * kk;
                    Loops.accumulate4(m, orow, orow + jj, orow + 2 * jj, orow + 3 * jj, jj, in, irow, irow + kk,
                            irow + 2 * kk, irow + 3 * kk, 1, p, wOff, jj, kk);
                    if (relu) {
                        Loops.relu(m, orow, 4 * jj);
                    }
                }
                for (; s < to; s++) {
                    int orow = outB + s * jj;
                    System.arraycopy(p, bOff, m, orow, jj);
                    Loops.accumulate(m, orow, jj, in, inB + s * kk, 1, p, wOff, jj, kk);
                    if (relu) {
                        Loops.relu(m, orow, jj);
                    }
                }
            });
            return;
        }
        if (!inputMajor && jj > n) { // output-major W: transpose the smaller of W (jj x kk) and the batch (n x kk)
            float[] wt = shared(kk * jj);
            for (int j = 0; j < jj; j++) {
                int wr = wOff + j * kk;
                for (int k = 0; k < kk; k++) {
                    wt[k * jj + j] = p[wr + k];
                }
            }
            split(n, (from, to, w) -> {
                for (int s = from; s < to; s++) {
                    int orow = outB + s * jj;
                    System.arraycopy(p, bOff, m, orow, jj);
                    Loops.accumulate(m, orow, jj, in, inB + s * kk, 1, wt, 0, jj, kk);
                    if (relu) {
                        Loops.relu(m, orow, jj);
                    }
                }
            });
            return;
        }
        float[] t = shared(kk * n);
        toLanes(in, inB, kk, t, n); // the batch transposed (kk x n)
        split(jj, (from, to, w) -> {
            float[] z = w.a(n);
            for (int j = from; j < to; j++) {
                java.util.Arrays.fill(z, 0, n, p[bOff + j]);
                if (inputMajor) { // W[k,j] at k·J + j
                    Loops.accumulate(z, 0, n, p, wOff + j, jj, t, 0, n, kk);
                } else {
                    Loops.accumulate(z, 0, n, p, wOff + j * kk, 1, t, 0, n, kk);
                }
                if (relu) {
                    Loops.relu(z, 0, n);
                }
                for (int s = 0; s < n; s++) {
                    m[outB + s * jj + j] = z[s];
                }
            }
        });
    }

    private void softmaxCrossEntropy(int o) {
        int zB = prog[o + 1] * cap;
        int cc = prog[o + 2];
        int dB = prog[o + 3] * cap;
        rowsOf(0, prog[o + 1]);
        wroteRows(prog[o + 3]);
        for (int s = 0; s < nb; s++) {
            int zr = zB + s * cc;
            float mx = m[zr];
            int best = 0;
            for (int c = 1; c < cc; c++) {
                if (m[zr + c] > mx) {
                    mx = m[zr + c];
                    best = c;
                }
            }
            float sum = 0f;
            for (int c = 0; c < cc; c++) {
                sum += (float) Math.exp(m[zr + c] - mx);
            }
            float lse = mx + (float) Math.log(sum);
            int y = lab[s];
            res[s] = lse - m[zr + y];
            res[cap + s] = best == y ? 1f : 0f;
            int dr = dB + s * cc;
            for (int c = 0; c < cc; c++) {
                float d = (float) Math.exp(m[zr + c] - lse);
                if (c == y) {
                    d -= 1f;
                }
                m[dr + c] = d * invN;
            }
        }
    }

    /* dW[j,k] = Σ_s dz[s,j]·in[s,k] (s ascending), db[j] = Σ_s dz[s,j] */
    private void denseBackwardWeights(int o) {
        float[] in = src(prog[o + 2]);
        int inB = prog[o + 1] * cap;
        int kk = prog[o + 3];
        int dB = prog[o + 4] * cap;
        int jj = prog[o + 5];
        int wOff = prog[o + 6];
        int n = nb;
        rowsOf(prog[o + 2], prog[o + 1]);
        rowsOf(0, prog[o + 4]);
        int lanes = Loops.LANES;
        if (prog[o + 7] == 1 && kk >= lanes && (jj < lanes || kk % lanes < jj % lanes)) {
            // a column dW[:,j] at a time when the input width fills whole vectors better than the layer's
            split(jj, (from, to, w) -> {
                float[] z = w.a(kk);
                for (int j = from; j < to; j++) {
                    java.util.Arrays.fill(z, 0, kk, 0f);
                    Loops.accumulate(z, 0, kk, m, dB + j, jj, in, inB, kk, n);
                    for (int k = 0; k < kk; k++) {
                        g[wOff + k * jj + j] = z[k];
                    }
                    float bsum = 0f;
                    for (int s = 0; s < n; s++) {
                        bsum += m[dB + s * jj + j];
                    }
                    g[wOff + jj * kk + j] = bsum;
                }
            });
            return;
        }
        if (prog[o + 7] == 1) { // W input-major: dW[k,:] = Σ_s in[s,k]·dz[s,:]
            split(kk, (from, to, w) -> {
                int k = from;
                for (; k + 4 <= to; k += 4) { // four rows of dW share each load of dz
                    int grow = wOff + k * jj;
                    java.util.Arrays.fill(g, grow, grow + 4 * jj, 0f);
                    Loops.accumulate4(g, grow, grow + jj, grow + 2 * jj, grow + 3 * jj, jj, in, inB + k, inB + k + 1,
                            inB + k + 2, inB + k + 3, kk, m, dB, jj, n);
                }
                for (; k < to; k++) {
                    java.util.Arrays.fill(g, wOff + k * jj, wOff + (k + 1) * jj, 0f);
                    Loops.accumulate(g, wOff + k * jj, jj, in, inB + k, kk, m, dB, jj, n);
                }
            });
            for (int j = 0; j < jj; j++) {
                float bsum = 0f;
                for (int s = 0; s < n; s++) {
                    bsum += m[dB + s * jj + j];
                }
                g[wOff + jj * kk + j] = bsum;
            }
            return;
        }
        split(jj, (from, to, w) -> {
            for (int j = from; j < to; j++) {
                java.util.Arrays.fill(g, wOff + j * kk, wOff + (j + 1) * kk, 0f);
                Loops.accumulate(g, wOff + j * kk, kk, m, dB + j, jj, in, inB, kk, n);
                float bsum = 0f;
                for (int s = 0; s < n; s++) {
                    bsum += m[dB + s * jj + j];
                }
                g[wOff + jj * kk + j] = bsum;
            }
        });
    }

    /* din[s,:] = Σ_j dz[s,j]·W[j,:] (j ascending), then the ReLU mask */
    private void denseBackwardInput(int o) {
        int dB = prog[o + 1] * cap;
        int jj = prog[o + 2];
        int wOff = prog[o + 3];
        int kk = prog[o + 4];
        int outB = prog[o + 5] * cap;
        int maskB = prog[o + 6];
        rowsOf(0, prog[o + 1]);
        if (maskB >= 0) {
            rowsOf(0, maskB);
        }
        wroteRows(prog[o + 5]);
        int n = nb;
        if (prog[o + 7] == 1 && n >= Loops.LANES && n % Loops.LANES <= kk % Loops.LANES) {
            // W input-major, over the samples when the batch fills whole vectors at least as well as the
            // input width: din[:,k] = Σ_j W[k,j]·dzᵀ[j,:] (dz transposed, jj x n; no transpose of W)
            float[] dzt = shared(jj * n);
            toLanes(m, dB, jj, dzt, n);
            split(kk, (from, to, w) -> {
                float[] z = w.a(n);
                for (int k = from; k < to; k++) {
                    java.util.Arrays.fill(z, 0, n, 0f);
                    Loops.accumulate(z, 0, n, p, wOff + k * jj, 1, dzt, 0, n, jj);
                    for (int s = 0; s < n; s++) {
                        m[outB + s * kk + k] = z[s];
                    }
                }
            });
            if (maskB >= 0) {
                split(n, (from, to, w) -> {
                    for (int s = from; s < to; s++) {
                        Loops.zeroWhereNotPositive(m, outB + s * kk, m, maskB * cap + s * kk, kk);
                    }
                });
            }
            return;
        }
        float[] wRows = p; // rows W[j,:] of kk floats, j ascending
        int wRowsOff = wOff;
        if (prog[o + 7] == 1) { // W input-major: transpose it (jj x kk rows) once for all samples
            wRows = shared(jj * kk);
            for (int k = 0; k < kk; k++) {
                for (int j = 0; j < jj; j++) {
                    wRows[j * kk + k] = p[wOff + k * jj + j];
                }
            }
            wRowsOff = 0;
        }
        float[] rows = wRows;
        int rowsOff = wRowsOff;
        split(nb, (from, to, w) -> {
            for (int s = from; s < to; s++) {
                int orow = outB + s * kk;
                java.util.Arrays.fill(m, orow, orow + kk, 0f);
                Loops.accumulate(m, orow, kk, m, dB + s * jj, 1, rows, rowsOff, kk, jj);
                if (maskB >= 0) {
                    Loops.zeroWhereNotPositive(m, orow, m, maskB * cap + s * kk, kk);
                }
            }
        });
    }

    /** The lane copy of a tensor (source 1: the input batch) of per floats a sample. */
    private LaneCopy copy(int source, int base, int per) {
        return copies.computeIfAbsent(source == 1 ? -1 : base, key -> new LaneCopy(key, per));
    }

    /** A tensor with the samples as lanes, converted from the row-major copy if that one is newer. */
    private float[] lanesOf(int source, int base, int per) {
        LaneCopy c = copy(source, base, per);
        if (!c.current) {
            int np = lanePadded();
            c.data = grow(c.data, per * np);
            toLanes(src(source), source == 1 ? 0 : base * cap, per, c.data, np);
            c.np = np;
            c.n = nb;
            c.current = true;
        }
        return c.data;
    }

    /** A tensor's lane copy for a pass to overwrite; the row-major copy becomes stale. */
    private float[] lanesFor(int base, int per) {
        LaneCopy c = copy(0, base, per);
        int np = lanePadded();
        c.data = grow(c.data, per * np);
        c.np = np;
        c.n = nb;
        c.current = true;
        c.rowsCurrent = false;
        return c.data;
    }

    /** Makes the row-major copy of a tensor current before a dense pass reads it. */
    private void rowsOf(int source, int base) {
        LaneCopy c = source == 1 ? null : copies.get(base);
        if (c != null && !c.rowsCurrent) {
            fromLanes(c.data, c.np, c.n, m, base * cap, c.per);
            c.rowsCurrent = true;
        }
    }

    /** A dense pass overwrote a tensor's row-major copy. */
    private void wroteRows(int base) {
        LaneCopy c = copies.get(base);
        if (c != null) {
            c.current = false;
            c.rowsCurrent = true;
        }
    }

    /** Makes every row-major tensor current (before the workspace is read from outside). */
    void syncRows() {
        for (LaneCopy c : copies.values()) {
            if (c.key >= 0) {
                rowsOf(0, c.key);
            }
        }
    }

    private static float[] grow(float[] a, int size) {
        return a.length < size ? new float[size] : a;
    }

    /** The batch padded to whole vectors: the lane count of [element][sample] arrays. */
    private int lanePadded() {
        return (nb + Loops.LANES - 1) / Loops.LANES * Loops.LANES;
    }

    /** dst[i·np + s] = src[base + s·per + i] for the nb samples, 0 in the padding lanes s ≥ nb. */
    private void toLanes(float[] src, int base, int per, float[] dst, int np) {
        int n = nb;
        split(per, (from, to, w) -> {
            for (int i = from; i < to; i++) {
                int row = i * np;
                for (int s = 0; s < n; s++) {
                    dst[row + s] = src[base + s * per + i];
                }
                for (int s = n; s < np; s++) {
                    dst[row + s] = 0f;
                }
            }
        });
    }

    /** The inverse of {@link #toLanes} for n samples. */
    private void fromLanes(float[] src, int np, int n, float[] dst, int base, int per) {
        split(n, (from, to, w) -> {
            for (int s = from; s < to; s++) {
                int row = base + s * per;
                for (int i = 0; i < per; i++) {
                    dst[row + i] = src[i * np + s];
                }
            }
        });
    }

    /** Σ_{s < nb} part[off + s], s ascending. */
    private float sumSamples(float[] part, int off) {
        float acc = 0f;
        for (int s = 0; s < nb; s++) {
            acc += part[off + s];
        }
        return acc;
    }

    /** A term list of a convolution pass, built once per lane count. */
    private int[][] terms(int o, int np, java.util.function.IntFunction<int[][]> build) {
        int[][] t = termLists.get(o);
        if (t == null || t[3][0] != np) {
            t = build.apply(np);
            termLists.put(o, t);
        }
        return t;
    }

    /*
     * out[s,o,y,x] = act(b[o] + Σ_{c,ky,kx} K[o,c,ky,kx]·in[s,c,y+ky,x+kx]), bias first, then (c, ky, kx)
     * ascending. Samples are the vector lanes: every lane is a real output (no padding of the plane
     * width), and four filters share each load of the input.
     */
    private void convForward(int o) {
        int source = prog[o + 2];
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int oo = prog[o + 7];
        int wOff = prog[o + 8];
        boolean relu = prog[o + 9] == 1;
        int oh = hh - 4;
        int ow = ww - 4;
        int plane = oh * ow;
        int ckk = cc * 25;
        int np = lanePadded();
        float[] in = lanesOf(source, prog[o + 1], cc * hh * ww);
        float[] out = lanesFor(prog[o + 6], oo * plane);
        coefT = grow(coefT, ckk * oo);
        float[] kT = coefT;
        for (int oc = 0; oc < oo; oc++) {
            for (int r = 0; r < ckk; r++) {
                kT[r * oo + oc] = p[wOff + oc * ckk + r];
            }
        }
        int[][] t = terms(o, np, lanes -> {
            int[] rowOff = new int[ckk];
            int[] coefIdx = new int[ckk];
            for (int r = 0; r < ckk; r++) {
                rowOff[r] = windowTerm(r, hh, ww) * lanes;
                coefIdx[r] = r * oo;
            }
            return new int[][] {{0, ckk}, rowOff, coefIdx, {lanes}};
        });
        int blocks = (oo + 3) / 4;
        int bOff = wOff + oo * ckk;
        split(blocks * plane, (from, to, w) -> {
            for (int job = from; job < to; job++) {
                int o0 = job / plane * 4;
                int pos = job % plane;
                int y = pos / ow;
                int base = (y * ww + pos - y * ow) * np;
                // a short block repeats its last filter (the same value written twice)
                int q1 = Math.min(o0 + 1, oo - 1);
                int q2 = Math.min(o0 + 2, oo - 1);
                int q3 = Math.min(o0 + 3, oo - 1);
                for (int v = 0; v < np; v += Loops.LANES) {
                    Loops.laneTerms4(out, (o0 * plane + pos) * np + v, (q1 * plane + pos) * np + v,
                            (q2 * plane + pos) * np + v, (q3 * plane + pos) * np + v, in, t[1], 0, ckk, base + v, kT, t[2],
                            o0, q1, q2, q3, p[bOff + o0], p[bOff + q1], p[bOff + q2], p[bOff + q3], relu);
                }
            }
        });
    }

    /*
     * out = max of each 2x2 window: the first maximum in the order (0,0), (0,1), (1,0), (1,1), as the
     * kernel decides it (its backward pass sends the gradient to that element). On lanes, so the
     * comparisons are vector blends without branches.
     */
    private void poolForward(int o) {
        int cc = prog[o + 2];
        int hh = prog[o + 3];
        int ww = prog[o + 4];
        int oh = hh / 2;
        int ow = ww / 2;
        int np = lanePadded();
        float[] in = lanesOf(0, prog[o + 1], cc * hh * ww);
        float[] out = lanesFor(prog[o + 5], cc * oh * ow);
        split(cc * oh * ow, (from, to, w) -> {
            for (int win = from; win < to; win++) {
                int a = windowCorner(win, oh, ow, hh, ww, np);
                Loops.poolMaxLanes(out, win * np, in, a, a + np, a + ww * np, a + (ww + 1) * np, np);
            }
        });
    }

    /** Where term q = (c, ky, kx) of a 5x5 window starts in an input of hh x ww planes: (c·hh + ky)·ww + kx. */
    private static int windowTerm(int q, int hh, int ww) {
        return ((q / 25) * hh + (q % 25) / 5) * ww + q % 5;
    }

    /** The lane offset of the top-left element of pooling window win = (c, y, x) of an oh x ow output. */
    private static int windowCorner(int win, int oh, int ow, int hh, int ww, int np) {
        int c = win / (oh * ow);
        int y = win / ow - c * oh;
        int x = win % ow;
        return ((c * hh + 2 * y) * ww + 2 * x) * np;
    }

    /*
     * din = dout at each window's first maximum (found as in the forward pass), zero at the other
     * three; zero too where the ReLU before the pool was off (the winner not > 0).
     */
    private void poolBackward(int o) {
        int cc = prog[o + 2];
        int hh = prog[o + 3];
        int ww = prog[o + 4];
        boolean relu = prog[o + 7] == 1;
        int oh = hh / 2;
        int ow = ww / 2;
        int sIn = cc * hh * ww;
        int np = lanePadded();
        float[] dOut = lanesOf(0, prog[o + 1], cc * oh * ow);
        float[] act = lanesOf(0, prog[o + 5], sIn);
        float[] dIn = lanesFor(prog[o + 6], sIn);
        if (hh % 2 == 1 || ww % 2 == 1) { // a last row or column that no window covers
            java.util.Arrays.fill(dIn, 0, sIn * np, 0f);
        }
        split(cc * oh * ow, (from, to, w) -> {
            for (int win = from; win < to; win++) {
                int a = windowCorner(win, oh, ow, hh, ww, np);
                Loops.poolGradLanes(dIn, act, a, a + np, a + ww * np, a + (ww + 1) * np, dOut, win * np, relu, np);
            }
        });
    }

    /*
     * dK[o,c,ky,kx] = Σ_s P_s, P_s = Σ_{y,x} dz[s,o,y,x]·in[s,c,y+ky,x+kx] with (y, x) ascending and the
     * per-sample sums added in ascending s; db[o] = Σ_s Σ_{y,x} dz[s,o,y,x] alike. Each lane builds its
     * own sample's P_s, blocks of 4 filters x 4 (c, ky, kx) share their loads, and adding the P_s in
     * order afterwards makes the result independent of the vector width.
     */
    private void convBackwardWeights(int o) {
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int oo = prog[o + 7];
        int wOff = prog[o + 8];
        int oh = hh - 4;
        int ow = ww - 4;
        int plane = oh * ow;
        int ckk = cc * 25;
        int np = lanePadded();
        float[] inT = lanesOf(prog[o + 2], prog[o + 1], cc * hh * ww);
        float[] dzT = lanesOf(0, prog[o + 6], oo * plane);
        int oBlocks = (oo + 3) / 4;
        int qBlocks = (ckk + 3) / 4;
        int blocks = oBlocks * qBlocks;
        split(blocks + oo, (from, to, w) -> {
            float[] part = w.a(16 * np);
            for (int blk = from; blk < to; blk++) {
                if (blk >= blocks) { // a bias
                    int oc = blk - blocks;
                    for (int v = 0; v < np; v += Loops.LANES) {
                        Loops.laneSum(part, v, dzT, oc * plane * np + v, plane, np);
                    }
                    g[wOff + oo * ckk + oc] = sumSamples(part, 0);
                    continue;
                }
                int oc0 = blk / qBlocks * 4;
                int q0 = blk % qBlocks * 4;
                int[] a = new int[4];
                int[] b = new int[4];
                for (int k = 0; k < 4; k++) { // a short block repeats its last filter or term (results dropped)
                    a[k] = Math.min(oc0 + k, oo - 1) * plane * np;
                    int q = Math.min(q0 + k, ckk - 1);
                    b[k] = windowTerm(q, hh, ww) * np;
                }
                for (int v = 0; v < np; v += Loops.LANES) {
                    Loops.laneDots4x4(part, v, np, dzT, a[0] + v, a[1] + v, a[2] + v, a[3] + v, ow * np, inT, b[0] + v,
                            b[1] + v, b[2] + v, b[3] + v, ww * np, oh, ow, np);
                }
                for (int k = 0; k < 4 && oc0 + k < oo; k++) {
                    for (int j = 0; j < 4 && q0 + j < ckk; j++) {
                        g[wOff + (oc0 + k) * ckk + q0 + j] = sumSamples(part, (4 * k + j) * np);
                    }
                }
            }
        });
    }

    /*
     * din[s,c,y,x] = Σ_{o,ky,kx} K[o,c,ky,kx]·dz[s,o,y−ky,x−kx] over the terms inside dz, (o, ky, kx)
     * ascending, then the ReLU mask. On lanes only the valid terms are summed, and four input
     * channels share each load of dz.
     */
    private void convBackwardInput(int o) {
        int oo = prog[o + 2];
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int wOff = prog[o + 6];
        int maskB = prog[o + 8];
        int oh = hh - 4;
        int ow = ww - 4;
        int sIn = cc * hh * ww;
        int planeIn = hh * ww;
        int np = lanePadded();
        float[] dzT = lanesOf(0, prog[o + 1], oo * oh * ow);
        float[] mask = maskB >= 0 ? lanesOf(0, maskB, sIn) : null;
        float[] dinT = lanesFor(prog[o + 7], sIn);
        coefT = grow(coefT, oo * 25 * cc);
        float[] kT = coefT; // K[o,c,ky,kx] at kT[(o·25 + ky·5 + kx)·cc + c]
        for (int oc = 0; oc < oo; oc++) {
            for (int c = 0; c < cc; c++) {
                for (int k = 0; k < 25; k++) {
                    kT[(oc * 25 + k) * cc + c] = p[wOff + (oc * cc + c) * 25 + k];
                }
            }
        }
        int[][] t = terms(o, np, lanes -> validTerms(oo, cc, hh, ww, lanes));
        int[] start = t[0];
        int blocks = (cc + 3) / 4;
        split(blocks * planeIn, (from, to, w) -> {
            for (int job = from; job < to; job++) {
                int c0 = job / planeIn * 4;
                int pos = job % planeIn;
                int q1 = Math.min(c0 + 1, cc - 1); // a short block repeats its last channel
                int q2 = Math.min(c0 + 2, cc - 1);
                int q3 = Math.min(c0 + 3, cc - 1);
                for (int v = 0; v < np; v += Loops.LANES) {
                    Loops.laneTerms4(dinT, (c0 * planeIn + pos) * np + v, (q1 * planeIn + pos) * np + v,
                            (q2 * planeIn + pos) * np + v, (q3 * planeIn + pos) * np + v, dzT, t[1], start[pos],
                            start[pos + 1] - start[pos], v, kT, t[2], c0, q1, q2, q3, 0f, 0f, 0f, 0f, false);
                }
            }
        });
        if (mask != null) {
            Loops.zeroWhereNotPositive(dinT, 0, mask, 0, sIn * np);
        }
    }

    /**
     * For every input position t = y·W + x: the terms (o, ky, kx) with (y − ky, x − kx) inside the
     * output, ascending, as [start (positions + 1), dz lane offset, index into the transposed K, {np}].
     */
    private static int[][] validTerms(int oo, int cc, int hh, int ww, int np) {
        int oh = hh - 4;
        int ow = ww - 4;
        int[] start = new int[hh * ww + 1];
        List<int[]> list = new ArrayList<>();
        for (int y = 0; y < hh; y++) {
            for (int x = 0; x < ww; x++) {
                start[y * ww + x] = list.size();
                for (int oc = 0; oc < oo; oc++) {
                    for (int ky = Math.max(0, y - oh + 1); ky <= Math.min(4, y); ky++) {
                        for (int kx = Math.max(0, x - ow + 1); kx <= Math.min(4, x); kx++) {
                            list.add(new int[] {((oc * oh + y - ky) * ow + x - kx) * np, (oc * 25 + ky * 5 + kx) * cc});
                        }
                    }
                }
            }
        }
        start[hh * ww] = list.size();
        int[] rowOff = new int[list.size()];
        int[] coefIdx = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            rowOff[i] = list.get(i)[0];
            coefIdx[i] = list.get(i)[1];
        }
        return new int[][] {start, rowOff, coefIdx, {np}};
    }
}
