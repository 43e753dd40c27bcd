package org.detrain.kernel;

import static org.detrain.kernel.NetProgram.STRIDE;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The plain-Java reference twin of {@link NetKernel}: it interprets the same {@link NetProgram}
 * over the same buffer layout, computing every element with the same float32 operations in the
 * same order as the kernel (bias first, then the sum in ascending index order). Loops are nested so
 * that the innermost one runs over contiguous memory without a reduction ({@link Loops}).
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
    private final ExecutorService pool;
    /** Per-thread scratch; two arrays because the JIT vectorises best when source and target differ. */
    private final Work[] work;
    /** Shared scratch (a transposed matrix; the inputs and position-major dz of a weight gradient), filled before a split. */
    private float[] shared = new float[0];
    private float[] p;
    private int nb;
    private float invN;

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
        pool = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "detrain-java-kernel");
            t.setDaemon(true);
            return t;
        });
    }

    /** Splits [0, count) into one contiguous range per thread; the caller's thread takes the first. */
    private void split(int count, Part part) {
        int parts = Math.min(threads, count);
        if (parts <= 1) {
            part.run(0, count, work[0]);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts - 1);
        for (int t = 1; t < parts; t++) {
            int from = (int) ((long) count * t / parts);
            int to = (int) ((long) count * (t + 1) / parts);
            Work w = work[t];
            futures.add(pool.submit(() -> part.run(from, to, w)));
        }
        part.run(0, (int) ((long) count / parts), work[0]);
        try {
            for (Future<?> f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while a kernel pass ran", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a kernel pass failed: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    /** Runs passes [0, passes) on the first n samples of {@link #x} with parameters p. */
    void run(float[] params, int n, int passes) {
        runRange(params, n, 0, passes);
    }

    /** Runs passes [from, to); for profiling single ops. */
    void runRange(float[] params, int n, int from, int to) {
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
        int jj = prog[o + 5];
        int wOff = prog[o + 6];
        boolean relu = prog[o + 7] == 1;
        int n = nb;
        int bOff = wOff + jj * kk;
        if (prog[o + 8] == 1) { // W input-major: out[s,:] = b + Σ_k in[s,k]·W[k,:], rows as stored
            split(n, (from, to, w) -> {
                for (int s = from; s < to; s++) {
                    int orow = outB + s * jj;
                    System.arraycopy(p, bOff, m, orow, jj);
                    Loops.accumulate(m, orow, jj, in, inB + s * kk, 1, p, wOff, jj, kk);
                    if (relu) {
                        for (int j = 0; j < jj; j++) {
                            if (m[orow + j] < 0f) {
                                m[orow + j] = 0f;
                            }
                        }
                    }
                }
            });
            return;
        }
        if (jj > n) { // output-major W: transpose the smaller of W (jj x kk) and the batch (n x kk)
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
                        for (int j = 0; j < jj; j++) {
                            if (m[orow + j] < 0f) {
                                m[orow + j] = 0f;
                            }
                        }
                    }
                }
            });
            return;
        }
        float[] t = shared(kk * n);
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < kk; k++) {
                t[k * n + s] = in[inB + s * kk + k];
            }
        }
        split(jj, (from, to, w) -> {
            float[] z = w.a(n);
            for (int j = from; j < to; j++) {
                java.util.Arrays.fill(z, 0, n, p[bOff + j]);
                Loops.accumulate(z, 0, n, p, wOff + j * kk, 1, t, 0, n, kk);
                for (int s = 0; s < n; s++) {
                    float v = z[s];
                    m[outB + s * jj + j] = relu && v < 0f ? 0f : v;
                }
            }
        });
    }

    private void softmaxCrossEntropy(int o) {
        int zB = prog[o + 1] * cap;
        int cc = prog[o + 2];
        int dB = prog[o + 3] * cap;
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
        if (prog[o + 7] == 1) { // W input-major: dW[k,:] = Σ_s in[s,k]·dz[s,:]
            split(kk, (from, to, w) -> {
                for (int k = from; k < to; k++) {
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
                    int mr = maskB * cap + s * kk;
                    for (int k = 0; k < kk; k++) {
                        if (m[mr + k] <= 0f) {
                            m[orow + k] = 0f;
                        }
                    }
                }
            }
        });
    }

    /*
     * out[s,o,y,x] = act(b[o] + Σ_{c,ky,kx} K[o,c,ky,kx]·in[s,c,y+ky,x+kx]), (c, ky, kx) ascending.
     * Rows are computed at the input's width (t = y·W + x, x < W), so the innermost loop runs over
     * oh·W contiguous floats; the columns x ≥ ow are scratch and dropped when the plane is copied out.
     */
    private void convForward(int o) {
        float[] in = src(prog[o + 2]);
        int inB = prog[o + 1] * cap;
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int outB = prog[o + 6] * cap;
        int oo = prog[o + 7];
        int wOff = prog[o + 8];
        boolean relu = prog[o + 9] == 1;
        int oh = hh - 4;
        int ow = ww - 4;
        int sIn = cc * hh * ww;
        int span = oh * ww;
        // the input sample with 4 floats of slack (the last window row reads past the plane by up to 4)
        int[] at = new int[cc * 25]; // window (c, ky, kx) starts at (c·H + ky)·W + kx
        for (int c = 0; c < cc; c++) {
            for (int ky = 0; ky < 5; ky++) {
                for (int kx = 0; kx < 5; kx++) {
                    at[(c * 5 + ky) * 5 + kx] = (c * hh + ky) * ww + kx;
                }
            }
        }
        split(nb, (from, to, w) -> {
            // the input sample with 8 floats of slack (the last window row reads past the plane by up to 4)
            float[] buf = w.a(sIn + 8);
            float[] z = w.b(span);
            for (int s = from; s < to; s++) {
                System.arraycopy(in, inB + s * sIn, buf, 0, sIn);
                for (int oc = 0; oc < oo; oc++) {
                    java.util.Arrays.fill(z, 0, span, p[wOff + oo * cc * 25 + oc]);
                    Loops.accumulateAt(z, 0, span, p, wOff + oc * cc * 25, 1, buf, 0, at, cc * 25);
                    int out = outB + (s * oo + oc) * oh * ow;
                    for (int y = 0; y < oh; y++) {
                        for (int x = 0; x < ow; x++) {
                            float v = z[y * ww + x];
                            m[out + y * ow + x] = relu && v < 0f ? 0f : v;
                        }
                    }
                }
            }
        });
    }

    /*
     * out = max of each 2x2 window, and (for the backward pass) which element won: the first maximum
     * in the order (0,0), (0,1), (1,0), (1,1), as the kernel decides it. Written without data-dependent
     * branches (they mispredicted half the time).
     */
    private void poolForward(int o) {
        int inB = prog[o + 1] * cap;
        int cc = prog[o + 2];
        int hh = prog[o + 3];
        int ww = prog[o + 4];
        int outB = prog[o + 5] * cap;
        int oh = hh / 2;
        int ow = ww / 2;
        split(nb, (from, to, w) -> {
            int idx = from * cc * oh * ow;
            for (int s = from; s < to; s++) {
                for (int c = 0; c < cc; c++) {
                    int plane = inB + (s * cc + c) * hh * ww;
                    for (int y = 0; y < oh; y++) {
                        int i0 = plane + 2 * y * ww;
                        for (int xx = 0; xx < ow; xx++, idx++) {
                            int i = i0 + 2 * xx;
                            m[outB + idx] = windowMax(m[i], m[i + 1], m[i + ww], m[i + ww + 1]);
                        }
                    }
                }
            }
        });
    }

    /** The first maximum of a, b, c, d under strict comparison (the kernel's if-chain, without branches). */
    private static float windowMax(float a, float b, float c, float d) {
        float v = b > a ? b : a;
        v = c > v ? c : v;
        return d > v ? d : v;
    }

    private void poolBackward(int o) {
        int dOutB = prog[o + 1] * cap;
        int cc = prog[o + 2];
        int hh = prog[o + 3];
        int ww = prog[o + 4];
        int actB = prog[o + 5] * cap;
        int dInB = prog[o + 6] * cap;
        boolean relu = prog[o + 7] == 1;
        int oh = hh / 2;
        int ow = ww / 2;
        int sIn = cc * hh * ww;
        split(nb, (from, to, w) -> {
            int dIdx = from * cc * oh * ow;
            for (int s = from; s < to; s++) {
                for (int c = 0; c < cc; c++) {
                    for (int py = 0; py < oh; py++) {
                        int rel = s * sIn + (c * hh + 2 * py) * ww;
                        for (int px = 0; px < ow; px++, dIdx++, rel += 2) {
                            int i = actB + rel;
                            float a = m[i];
                            float b = m[i + 1];
                            float e = m[i + ww];
                            float f = m[i + ww + 1];
                            // winner as in the kernel: the first strict maximum
                            float v = b > a ? b : a;
                            int at = b > a ? 1 : 0;
                            at = e > v ? ww : at;
                            v = e > v ? e : v;
                            at = f > v ? ww + 1 : at;
                            v = f > v ? f : v;
                            float d = m[dOutB + dIdx];
                            d = relu && !(v > 0f) ? 0f : d; // ReLU'(z) = [a > 0] of the winner
                            int t = dInB + rel;
                            m[t] = 0f;
                            m[t + 1] = 0f;
                            m[t + ww] = 0f;
                            m[t + ww + 1] = 0f;
                            m[t + at] = d;
                        }
                    }
                }
            }
        });
    }

    /*
     * dK[o,c,ky,kx] = Σ_s Σ_{y,x} dz[s,o,y,x]·in[s,c,y+ky,x+kx], (s, y, x) ascending. With dz laid out
     * position-major at the input's width (dzᵀ[y·W + x, o], zero for x ≥ ow), the gradient of one
     * (c, ky, kx) for all filters o at once is a row accumulation: dKᵀ[(c,ky,kx), :] += in[s, c, ky+y, kx+x]
     * · dzᵀ[y·W + x, :] over the positions in order (the zero columns add ±0, which changes no value).
     * No im2col; the filters are the vector lanes.
     */
    private void convBackwardWeights(int o) {
        float[] in = src(prog[o + 2]);
        int inB = prog[o + 1] * cap;
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int dB = prog[o + 6] * cap;
        int oo = prog[o + 7];
        int wOff = prog[o + 8];
        int oh = hh - 4;
        int ow = ww - 4;
        int plane = oh * ow;
        int sOut = oo * plane;
        int sIn = cc * hh * ww;
        int ckk = cc * 25;
        int lanes = (oo + 15) & ~15; // filters padded to whole vectors; the padding stays zero
        int span = oh * ww;
        int n = nb;
        int inLen = sIn + 8; // each sample's input with slack: the last rows read up to 4 floats past it
        float[] buf = shared(n * (inLen + span * lanes));
        int dzOff = n * inLen;
        split(n, (from, to, w) -> {
            java.util.Arrays.fill(buf, dzOff + from * span * lanes, dzOff + to * span * lanes, 0f);
            for (int s = from; s < to; s++) {
                System.arraycopy(in, inB + s * sIn, buf, s * inLen, sIn);
                java.util.Arrays.fill(buf, s * inLen + sIn, (s + 1) * inLen, 0f);
                int dt = dzOff + s * span * lanes;
                for (int oc = 0; oc < oo; oc++) {
                    int dr = dB + s * sOut + oc * plane;
                    for (int y = 0; y < oh; y++) {
                        for (int x = 0; x < ow; x++) {
                            buf[dt + (y * ww + x) * lanes + oc] = m[dr + y * ow + x];
                        }
                    }
                }
            }
        });
        int groups = (ckk + 3) / 4; // four (c, ky, kx) at a time: four independent sums per lane
        split(groups, (from, to, w) -> {
            float[] acc = w.b(4 * lanes);
            int[] shift = new int[4];
            for (int grp = from; grp < to; grp++) {
                int q0 = grp * 4;
                int qs = Math.min(4, ckk - q0);
                for (int k = 0; k < 4; k++) {
                    int q = q0 + Math.min(k, qs - 1); // a short last group repeats its last row (results dropped)
                    shift[k] = ((q / 25) * hh + (q % 25) / 5) * ww + q % 5;
                }
                java.util.Arrays.fill(acc, 0, 4 * lanes, 0f);
                for (int s = 0; s < n; s++) {
                    int ib = s * inLen;
                    Loops.accumulate4(acc, 0, lanes, lanes, buf, ib + shift[0], ib + shift[1], ib + shift[2], ib + shift[3],
                            buf, dzOff + s * span * lanes, lanes, span);
                }
                for (int k = 0; k < qs; k++) {
                    for (int oc = 0; oc < oo; oc++) {
                        g[wOff + oc * ckk + q0 + k] = acc[k * lanes + oc];
                    }
                }
            }
        });
        for (int oc = 0; oc < oo; oc++) {
            float bsum = 0f;
            for (int s = 0; s < n; s++) {
                int dr = dB + s * sOut + oc * plane;
                for (int t = 0; t < plane; t++) {
                    bsum += m[dr + t];
                }
            }
            g[wOff + oo * ckk + oc] = bsum;
        }
    }

    /*
     * din[s,c,y,x] = Σ_{o,ky,kx} K[o,c,ky,kx]·dz[s,o,y−ky,x−kx], (o, ky, kx) ascending, then the ReLU
     * mask. Each dz plane is laid out at the input's width inside zeros (4 rows and 4 floats before,
     * 4 rows after, zero columns x ≥ ow), so every term is a shifted read of it — terms outside the
     * output read zeros and add ±0, which changes no value — and the input plane is accumulated in
     * registers over all (o, ky, kx).
     */
    private void convBackwardInput(int o) {
        int dB = prog[o + 1] * cap;
        int oo = prog[o + 2];
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int wOff = prog[o + 6];
        int outB = prog[o + 7] * cap;
        int maskB = prog[o + 8];
        int oh = hh - 4;
        int ow = ww - 4;
        int sOut = oo * oh * ow;
        int sIn = cc * hh * ww;
        int planeIn = hh * ww;
        int lead = 4 * ww + 4;
        int rowLen = lead + oh * ww + 4 * ww + 8;
        int[] at = new int[oo * 25];
        for (int oc = 0; oc < oo; oc++) {
            for (int ky = 0; ky < 5; ky++) {
                for (int kx = 0; kx < 5; kx++) {
                    at[(oc * 5 + ky) * 5 + kx] = oc * rowLen + lead - ky * ww - kx;
                }
            }
        }
        split(nb, (from, to, w) -> {
            float[] buf = w.a(oo * rowLen);
            float[] acc = w.b(planeIn);
            float[] coef = w.c(oo * 25);
            java.util.Arrays.fill(buf, 0, oo * rowLen, 0f);
            for (int s = from; s < to; s++) {
                for (int oc = 0; oc < oo; oc++) {
                    for (int y = 0; y < oh; y++) {
                        System.arraycopy(m, dB + s * sOut + (oc * oh + y) * ow, buf, oc * rowLen + lead + y * ww, ow);
                    }
                }
                for (int c = 0; c < cc; c++) {
                    for (int oc = 0; oc < oo; oc++) {
                        System.arraycopy(p, wOff + (oc * cc + c) * 25, coef, oc * 25, 25);
                    }
                    java.util.Arrays.fill(acc, 0, planeIn, 0f);
                    Loops.accumulateAt(acc, 0, planeIn, coef, 0, 1, buf, 0, at, oo * 25);
                    int out = outB + s * sIn + c * planeIn;
                    System.arraycopy(acc, 0, m, out, planeIn);
                    if (maskB >= 0) {
                        int mr = maskB * cap + s * sIn + c * planeIn;
                        for (int t = 0; t < planeIn; t++) {
                            if (m[mr + t] <= 0f) {
                                m[out + t] = 0f;
                            }
                        }
                    }
                }
            }
        });
    }
}
