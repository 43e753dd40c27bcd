package org.detrain.kernel;

import static org.detrain.kernel.NetProgram.STRIDE;

/**
 * The plain-Java reference twin of {@link NetKernel}: it interprets the same {@link NetProgram}
 * over the same buffer layout, one thread, computing every element with the same float32
 * operations in the same order as the kernel (bias first, then the sum in ascending index order).
 * Loops are nested so that the innermost one runs over contiguous memory without a reduction, which
 * the JIT vectorises; reductions that remain use several independent accumulators.
 */
final class JavaNet {
    final float[] g;
    final float[] x;
    final float[] m;
    final float[] res;
    final int[] lab;
    final int cap;
    private final NetProgram program;
    private final int[] prog;
    private float[] scratch = new float[0];
    /** A second scratch array: the JIT vectorises a loop only when its source and target are distinct arrays. */
    private float[] scratchB = new float[0];
    private float[] p;
    private int nb;
    private float invN;

    JavaNet(NetProgram program, int capacity) {
        this.program = program;
        this.prog = program.code;
        this.cap = capacity;
        g = new float[program.dim];
        x = new float[capacity * program.inputSize];
        m = new float[capacity * program.workPerSample];
        res = new float[2 * capacity];
        lab = new int[capacity];
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

    private float[] scratchB(int size) {
        if (scratchB.length < size) {
            scratchB = new float[size];
        }
        return scratchB;
    }

    private float[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new float[size];
        }
        return scratch;
    }

    /*
     * out[s,j] = act(b[j] + Σ_k W[j,k]·in[s,k]), k ascending. Wide layers run as axpy over j with Wᵀ
     * (out[s,:] += in[s,k]·Wᵀ[k,:]), narrow ones as axpy over the samples with the batch transposed
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
        if (jj >= 16) {
            float[] wt = scratch(kk * jj);
            for (int j = 0; j < jj; j++) {
                int wr = wOff + j * kk;
                for (int k = 0; k < kk; k++) {
                    wt[k * jj + j] = p[wr + k];
                }
            }
            for (int s = 0; s < n; s++) {
                int orow = outB + s * jj;
                System.arraycopy(p, bOff, m, orow, jj);
                int irow = inB + s * kk;
                for (int k = 0; k < kk; k++) {
                    float v = in[irow + k];
                    int wr = k * jj;
                    Loops.axpy(m, orow, v, wt, wr, jj);
                }
                if (relu) {
                    for (int j = 0; j < jj; j++) {
                        if (m[orow + j] < 0f) {
                            m[orow + j] = 0f;
                        }
                    }
                }
            }
            return;
        }
        float[] t = scratch(kk * n + n);
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < kk; k++) {
                t[k * n + s] = in[inB + s * kk + k];
            }
        }
        int zOff = kk * n;
        for (int j = 0; j < jj; j++) {
            float b = p[bOff + j];
            for (int s = 0; s < n; s++) {
                t[zOff + s] = b;
            }
            int wr = wOff + j * kk;
            for (int k = 0; k < kk; k++) {
                float w = p[wr + k];
                int tr = k * n;
                Loops.axpy(t, zOff, w, t, tr, n);
            }
            for (int s = 0; s < n; s++) {
                float z = t[zOff + s];
                m[outB + s * jj + j] = relu && z < 0f ? 0f : z;
            }
        }
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

    /* dW[j,:] = Σ_s dz[s,j]·in[s,:] (s ascending), db[j] = Σ_s dz[s,j] */
    private void denseBackwardWeights(int o) {
        float[] in = src(prog[o + 2]);
        int inB = prog[o + 1] * cap;
        int kk = prog[o + 3];
        int dB = prog[o + 4] * cap;
        int jj = prog[o + 5];
        int wOff = prog[o + 6];
        java.util.Arrays.fill(g, wOff, wOff + jj * kk + jj, 0f);
        for (int j = 0; j < jj; j++) {
            int gr = wOff + j * kk;
            float bsum = 0f;
            for (int s = 0; s < nb; s++) {
                float d = m[dB + s * jj + j];
                int ir = inB + s * kk;
                Loops.axpy(g, gr, d, in, ir, kk);
                bsum += d;
            }
            g[wOff + jj * kk + j] = bsum;
        }
    }

    /* din[s,:] = Σ_j dz[s,j]·W[j,:] (j ascending), then the ReLU mask */
    private void denseBackwardInput(int o) {
        int dB = prog[o + 1] * cap;
        int jj = prog[o + 2];
        int wOff = prog[o + 3];
        int kk = prog[o + 4];
        int outB = prog[o + 5] * cap;
        int maskB = prog[o + 6];
        for (int s = 0; s < nb; s++) {
            int orow = outB + s * kk;
            java.util.Arrays.fill(m, orow, orow + kk, 0f);
            for (int j = 0; j < jj; j++) {
                float d = m[dB + s * jj + j];
                int wr = wOff + j * kk;
                Loops.axpy(m, orow, d, p, wr, kk);
            }
            if (maskB >= 0) {
                int mr = maskB * cap + s * kk;
                for (int k = 0; k < kk; k++) {
                    if (m[mr + k] <= 0f) {
                        m[orow + k] = 0f;
                    }
                }
            }
        }
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
        float[] buf = scratch(sIn + 8);
        float[] z = scratchB(span);
        for (int s = 0; s < nb; s++) {
            System.arraycopy(in, inB + s * sIn, buf, 0, sIn);
            for (int oc = 0; oc < oo; oc++) {
                java.util.Arrays.fill(z, 0, span, p[wOff + oo * cc * 25 + oc]);
                for (int c = 0; c < cc; c++) {
                    for (int ky = 0; ky < 5; ky++) {
                        for (int kx = 0; kx < 5; kx++) {
                            float w = p[wOff + ((oc * cc + c) * 5 + ky) * 5 + kx];
                            int ib = (c * hh + ky) * ww + kx;
                            Loops.axpy(z, 0, w, buf, ib, span);
                        }
                    }
                }
                int out = outB + (s * oo + oc) * oh * ow;
                for (int y = 0; y < oh; y++) {
                    for (int x = 0; x < ow; x++) {
                        float v = z[y * ww + x];
                        m[out + y * ow + x] = relu && v < 0f ? 0f : v;
                    }
                }
            }
        }
    }

    private void poolForward(int o) {
        int inB = prog[o + 1] * cap;
        int cc = prog[o + 2];
        int hh = prog[o + 3];
        int ww = prog[o + 4];
        int outB = prog[o + 5] * cap;
        int oh = hh / 2;
        int ow = ww / 2;
        int idx = 0;
        for (int s = 0; s < nb; s++) {
            for (int c = 0; c < cc; c++) {
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++, idx++) {
                        int i = inB + s * cc * hh * ww + (c * hh + 2 * y) * ww + 2 * xx;
                        float v = m[i];
                        if (m[i + 1] > v) {
                            v = m[i + 1];
                        }
                        if (m[i + ww] > v) {
                            v = m[i + ww];
                        }
                        if (m[i + ww + 1] > v) {
                            v = m[i + ww + 1];
                        }
                        m[outB + idx] = v;
                    }
                }
            }
        }
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
        java.util.Arrays.fill(m, dInB, dInB + nb * sIn, 0f);
        for (int s = 0; s < nb; s++) {
            for (int c = 0; c < cc; c++) {
                for (int py = 0; py < oh; py++) {
                    for (int px = 0; px < ow; px++) {
                        int rel = s * sIn + (c * hh + 2 * py) * ww + 2 * px;
                        int i = actB + rel;
                        float v = m[i];
                        int at = 0;
                        if (m[i + 1] > v) {
                            v = m[i + 1];
                            at = 1;
                        }
                        if (m[i + ww] > v) {
                            v = m[i + ww];
                            at = ww;
                        }
                        if (m[i + ww + 1] > v) {
                            at = ww + 1;
                        }
                        float d = m[dOutB + s * cc * oh * ow + (c * oh + py) * ow + px];
                        if (!relu || m[i + at] > 0f) {
                            m[dInB + rel + at] = d;
                        }
                    }
                }
            }
        }
    }

    /*
     * dK[o,c,ky,kx] = Σ_s Σ_{y,x} dz[s,o,y,x]·in[s,c,y+ky,x+kx], (s, y, x) ascending: with the
     * sample's windows as rows (colᵀ[y·ow+x, (c,ky,kx)]), dK[o,:] += dz[s,o,y,x]·colᵀ[y·ow+x,:].
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
        int row = (ckk + 15) & ~15; // rows padded to whole vectors; the padding stays zero
        float[] col = scratch(plane * row);
        float[] acc = scratchB(oo * row);
        java.util.Arrays.fill(col, 0, plane * row, 0f);
        java.util.Arrays.fill(acc, 0, oo * row, 0f);
        for (int oc = 0; oc < oo; oc++) {
            g[wOff + oo * ckk + oc] = 0f;
        }
        for (int s = 0; s < nb; s++) {
            int ib = inB + s * sIn;
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    int r = (y * ow + x) * row;
                    for (int c = 0; c < cc; c++) {
                        for (int ky = 0; ky < 5; ky++) {
                            System.arraycopy(in, ib + (c * hh + y + ky) * ww + x, col, r + (c * 5 + ky) * 5, 5);
                        }
                    }
                }
            }
            for (int oc = 0; oc < oo; oc++) {
                int dr = dB + s * sOut + oc * plane;
                float bsum = g[wOff + oo * ckk + oc];
                for (int t = 0; t < plane; t++) {
                    float d = m[dr + t];
                    Loops.axpy(acc, oc * row, d, col, t * row, row);
                    bsum += d;
                }
                g[wOff + oo * ckk + oc] = bsum;
            }
        }
        for (int oc = 0; oc < oo; oc++) {
            System.arraycopy(acc, oc * row, g, wOff + oc * ckk, ckk);
        }
    }

    /*
     * din[s,c,y,x] = Σ_{o,ky,kx} K[o,c,ky,kx]·dz[s,o,y−ky,x−kx], (o, ky, kx) ascending, then the ReLU
     * mask. dz rows are widened to the input's width with zeros, so each (o, ky, kx) is one axpy over
     * oh·W contiguous floats (the zero columns add +0, which changes no value).
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
        int span = oh * ww;
        int planeIn = hh * ww;
        float[] buf = scratch(oo * span);
        float[] acc = scratchB(planeIn + 8);
        for (int s = 0; s < nb; s++) {
            java.util.Arrays.fill(buf, 0, oo * span, 0f);
            for (int oc = 0; oc < oo; oc++) {
                for (int y = 0; y < oh; y++) {
                    System.arraycopy(m, dB + s * sOut + (oc * oh + y) * ow, buf, oc * span + y * ww, ow);
                }
            }
            for (int c = 0; c < cc; c++) {
                java.util.Arrays.fill(acc, 0, planeIn + 8, 0f);
                for (int oc = 0; oc < oo; oc++) {
                    for (int ky = 0; ky < 5; ky++) {
                        for (int kx = 0; kx < 5; kx++) {
                            float w = p[wOff + ((oc * cc + c) * 5 + ky) * 5 + kx];
                            int ob = ky * ww + kx;
                            int db = oc * span;
                            Loops.axpy(acc, ob, w, buf, db, span);
                        }
                    }
                }
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
    }
}
