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

    private float[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new float[size];
        }
        return scratch;
    }

    /* out[s,j] = act(b[j] + Σ_k W[j,k]·in[s,k]); the batch is transposed so the k-loop updates all samples at once */
    private void denseForward(int o) {
        float[] in = src(prog[o + 2]);
        int inB = prog[o + 1] * cap;
        int kk = prog[o + 3];
        int outB = prog[o + 4] * cap;
        int jj = prog[o + 5];
        int wOff = prog[o + 6];
        boolean relu = prog[o + 7] == 1;
        int n = nb;
        float[] t = scratch(kk * n + n);
        for (int s = 0; s < n; s++) {
            for (int k = 0; k < kk; k++) {
                t[k * n + s] = in[inB + s * kk + k];
            }
        }
        int zOff = kk * n;
        for (int j = 0; j < jj; j++) {
            float b = p[wOff + jj * kk + j];
            for (int s = 0; s < n; s++) {
                t[zOff + s] = b;
            }
            int wr = wOff + j * kk;
            for (int k = 0; k < kk; k++) {
                float w = p[wr + k];
                int tr = k * n;
                for (int s = 0; s < n; s++) {
                    t[zOff + s] += w * t[tr + s];
                }
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
                for (int k = 0; k < kk; k++) {
                    g[gr + k] += d * in[ir + k];
                }
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
                for (int k = 0; k < kk; k++) {
                    m[orow + k] += d * p[wr + k];
                }
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

    /* out[s,o,:,:] = b[o], then += K[o,c,ky,kx]·in[s,c,ky:,kx:] for (c, ky, kx) ascending, then ReLU */
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
        int plane = oh * ow;
        int sIn = cc * hh * ww;
        for (int s = 0; s < nb; s++) {
            for (int oc = 0; oc < oo; oc++) {
                int out = outB + (s * oo + oc) * plane;
                java.util.Arrays.fill(m, out, out + plane, p[wOff + oo * cc * 25 + oc]);
                for (int c = 0; c < cc; c++) {
                    for (int ky = 0; ky < 5; ky++) {
                        for (int kx = 0; kx < 5; kx++) {
                            float w = p[wOff + ((oc * cc + c) * 5 + ky) * 5 + kx];
                            int ib = inB + s * sIn + (c * hh + ky) * ww + kx;
                            for (int y = 0; y < oh; y++) {
                                int orow = out + y * ow;
                                int irow = ib + y * ww;
                                for (int xx = 0; xx < ow; xx++) {
                                    m[orow + xx] += w * in[irow + xx];
                                }
                            }
                        }
                    }
                }
                if (relu) {
                    for (int t = out; t < out + plane; t++) {
                        if (m[t] < 0f) {
                            m[t] = 0f;
                        }
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

    /* dK[o,c,ky,kx] = Σ_s Σ_y Σ_x dz[s,o,y,x]·in[s,c,y+ky,x+kx], five kx accumulators at a time */
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
        int sOut = oo * oh * ow;
        int sIn = cc * hh * ww;
        for (int oc = 0; oc < oo; oc++) {
            for (int c = 0; c < cc; c++) {
                for (int ky = 0; ky < 5; ky++) {
                    float a0 = 0f;
                    float a1 = 0f;
                    float a2 = 0f;
                    float a3 = 0f;
                    float a4 = 0f;
                    for (int s = 0; s < nb; s++) {
                        for (int y = 0; y < oh; y++) {
                            int dr = dB + s * sOut + (oc * oh + y) * ow;
                            int ir = inB + s * sIn + (c * hh + y + ky) * ww;
                            for (int xx = 0; xx < ow; xx++) {
                                float d = m[dr + xx];
                                a0 += d * in[ir + xx];
                                a1 += d * in[ir + xx + 1];
                                a2 += d * in[ir + xx + 2];
                                a3 += d * in[ir + xx + 3];
                                a4 += d * in[ir + xx + 4];
                            }
                        }
                    }
                    int w = wOff + ((oc * cc + c) * 5 + ky) * 5;
                    g[w] = a0;
                    g[w + 1] = a1;
                    g[w + 2] = a2;
                    g[w + 3] = a3;
                    g[w + 4] = a4;
                }
            }
            float b = 0f;
            for (int s = 0; s < nb; s++) {
                int dr = dB + s * sOut + oc * oh * ow;
                for (int t = 0; t < oh * ow; t++) {
                    b += m[dr + t];
                }
            }
            g[wOff + oo * cc * 25 + oc] = b;
        }
    }

    /* din[s,c,:,:] = Σ_{o,ky,kx} K[o,c,ky,kx]·dz[s,o,:,:] shifted by (ky,kx), (o, ky, kx) ascending, then the mask */
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
        for (int s = 0; s < nb; s++) {
            for (int c = 0; c < cc; c++) {
                int out = outB + s * sIn + c * hh * ww;
                java.util.Arrays.fill(m, out, out + hh * ww, 0f);
                for (int oc = 0; oc < oo; oc++) {
                    int dPlane = dB + s * sOut + oc * oh * ow;
                    for (int ky = 0; ky < 5; ky++) {
                        for (int kx = 0; kx < 5; kx++) {
                            float w = p[wOff + ((oc * cc + c) * 5 + ky) * 5 + kx];
                            for (int oy = 0; oy < oh; oy++) {
                                int orow = out + (oy + ky) * ww + kx;
                                int drow = dPlane + oy * ow;
                                for (int ox = 0; ox < ow; ox++) {
                                    m[orow + ox] += m[drow + ox] * w;
                                }
                            }
                        }
                    }
                }
                if (maskB >= 0) {
                    int mr = maskB * cap + s * sIn + c * hh * ww;
                    for (int t = 0; t < hh * ww; t++) {
                        if (m[mr + t] <= 0f) {
                            m[out + t] = 0f;
                        }
                    }
                }
            }
        }
    }
}
