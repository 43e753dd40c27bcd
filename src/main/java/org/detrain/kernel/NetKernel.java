package org.detrain.kernel;

import com.aparapi.Kernel;

/**
 * The Aparapi kernel that runs a {@link NetProgram}: a training step is one launch per pass, the
 * launch of pass {@code base} having one work-item per output element of its op. All arrays stay on
 * the device between launches and steps (explicit mode): a step puts the parameters, the batch and
 * its labels, and gets the gradient and the per-sample results; the workspace never leaves the device.
 *
 * <p>Each output element is computed by one work-item in the same order as {@link JavaNet}, the
 * fast Java engine (products in their own statements, so the OpenCL compiler does not fuse them);
 * both are tested against the plain reference {@link NetRef}.
 * Only the subset of Java that Aparapi translates is used here: no objects, no switch, no break.
 */
final class NetKernel extends Kernel {
    float[] p;
    float[] g;
    float[] x;
    float[] m;
    float[] res;
    int[] lab;
    int[] prog;
    int nb;
    int cap;
    int base;
    float invN;

    NetKernel(NetProgram program, int capacity) {
        prog = program.code.clone();
        cap = capacity;
        p = new float[program.dim];
        g = new float[program.dim];
        x = new float[capacity * program.inputSize];
        m = new float[capacity * program.workPerSample];
        res = new float[2 * capacity];
        lab = new int[capacity];
    }

    @Override
    public void run() {
        int o = (base + getPassId()) * NetProgram.STRIDE;
        int op = prog[o];
        if (op == 1) {
            denseForward(o);
        } else if (op == 2) {
            softmaxCrossEntropy(o);
        } else if (op == 3) {
            denseBackwardWeights(o);
        } else if (op == 4) {
            denseBackwardInput(o);
        } else if (op == 5) {
            convForward(o);
        } else if (op == 6) {
            poolForward(o);
        } else if (op == 7) {
            poolBackward(o);
        } else if (op == 8) {
            convBackwardWeights(o);
        } else if (op == 9) {
            convBackwardInput(o);
        }
    }

    /* out[s,j] = act(b[j] + Σ_k W[j,k]·in[s,k]); W[j,k] at j·K + k (layout 0) or k·J + j (layout 1) */
    private void denseForward(int o) {
        int inB = prog[o + 1];
        int src = prog[o + 2];
        int kk = prog[o + 3];
        int outB = prog[o + 4];
        int jj = prog[o + 5];
        int wOff = prog[o + 6];
        int relu = prog[o + 7];
        int layout = prog[o + 8];
        int total = nb * jj;
        int idx = getGlobalId();
        if (idx < total) {
            int s = idx / jj;
            int j = idx - s * jj;
            int wr = layout == 1 ? wOff + j : wOff + j * kk;
            int ws = layout == 1 ? jj : 1;
            int ir = inB * cap + s * kk;
            float z = p[wOff + jj * kk + j];
            if (src == 1) {
                for (int k = 0; k < kk; k++) {
                    float q = p[wr + k * ws] * x[ir + k];
                    z = z + q;
                }
            } else {
                for (int k = 0; k < kk; k++) {
                    float q = p[wr + k * ws] * m[ir + k];
                    z = z + q;
                }
            }
            if (relu == 1 && z < 0f) {
                z = 0f;
            }
            m[outB * cap + s * jj + j] = z;
        }
    }

    /* loss_s = log Σ_c exp(z_c) − z_y; correct_s = [argmax z = y]; dz_c = (softmax(z)_c − [c = y]) / n */
    private void softmaxCrossEntropy(int o) {
        int zB = prog[o + 1];
        int cc = prog[o + 2];
        int dB = prog[o + 3];
        int s = getGlobalId();
        if (s < nb) {
            int zr = zB * cap + s * cc;
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
                sum = sum + exp(m[zr + c] - mx);
            }
            float lse = mx + log(sum);
            int y = lab[s];
            res[s] = lse - m[zr + y];
            res[cap + s] = best == y ? 1f : 0f;
            int dr = dB * cap + s * cc;
            for (int c = 0; c < cc; c++) {
                float d = exp(m[zr + c] - lse);
                if (c == y) {
                    d = d - 1f;
                }
                m[dr + c] = d * invN;
            }
        }
    }

    /* dW[j,k] = Σ_s dz[s,j]·in[s,k]; db[j] = Σ_s dz[s,j]; work-item idx is W's own index in its layout */
    private void denseBackwardWeights(int o) {
        int inB = prog[o + 1];
        int src = prog[o + 2];
        int kk = prog[o + 3];
        int dB = prog[o + 4];
        int jj = prog[o + 5];
        int wOff = prog[o + 6];
        int layout = prog[o + 7];
        int total = jj * kk + jj;
        int idx = getGlobalId();
        if (idx < total) {
            float acc = 0f;
            if (idx < jj * kk) {
                int j = layout == 1 ? idx % jj : idx / kk;
                int k = layout == 1 ? idx / jj : idx % kk;
                for (int s = 0; s < nb; s++) {
                    float v = src == 1 ? x[inB * cap + s * kk + k] : m[inB * cap + s * kk + k];
                    float q = m[dB * cap + s * jj + j] * v;
                    acc = acc + q;
                }
            } else {
                int j = idx - jj * kk;
                for (int s = 0; s < nb; s++) {
                    acc = acc + m[dB * cap + s * jj + j];
                }
            }
            g[wOff + idx] = acc;
        }
    }

    /* din[s,k] = (Σ_j dz[s,j]·W[j,k]) · [a_in[s,k] > 0 when the input came from a ReLU] */
    private void denseBackwardInput(int o) {
        int dB = prog[o + 1];
        int jj = prog[o + 2];
        int wOff = prog[o + 3];
        int kk = prog[o + 4];
        int outB = prog[o + 5];
        int maskB = prog[o + 6];
        int layout = prog[o + 7];
        int total = nb * kk;
        int idx = getGlobalId();
        if (idx < total) {
            int s = idx / kk;
            int k = idx - s * kk;
            int wr = layout == 1 ? wOff + k * jj : wOff + k;
            int ws = layout == 1 ? 1 : kk;
            float acc = 0f;
            for (int j = 0; j < jj; j++) {
                float q = m[dB * cap + s * jj + j] * p[wr + j * ws];
                acc = acc + q;
            }
            if (maskB >= 0 && m[maskB * cap + s * kk + k] <= 0f) {
                acc = 0f;
            }
            m[outB * cap + s * kk + k] = acc;
        }
    }

    /* out[s,o,y,x] = act(b[o] + Σ_{c,ky,kx} K[o,c,ky,kx]·in[s,c,y+ky,x+kx]) */
    private void convForward(int o) {
        int inB = prog[o + 1];
        int src = prog[o + 2];
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int outB = prog[o + 6];
        int oo = prog[o + 7];
        int wOff = prog[o + 8];
        int relu = prog[o + 9];
        int oh = hh - 4;
        int ow = ww - 4;
        int plane = oh * ow;
        int sOut = oo * plane;
        int sIn = cc * hh * ww;
        int total = nb * sOut;
        int idx = getGlobalId();
        if (idx < total) {
            int s = idx / sOut;
            int r = idx - s * sOut;
            int oc = r / plane;
            int r2 = r - oc * plane;
            int y = r2 / ow;
            int xx = r2 - y * ow;
            float z = p[wOff + oo * cc * 25 + oc];
            for (int c = 0; c < cc; c++) {
                for (int ky = 0; ky < 5; ky++) {
                    int wr = wOff + ((oc * cc + c) * 5 + ky) * 5;
                    int ir = inB * cap + s * sIn + (c * hh + y + ky) * ww + xx;
                    for (int kx = 0; kx < 5; kx++) {
                        float v = src == 1 ? x[ir + kx] : m[ir + kx];
                        float q = p[wr + kx] * v;
                        z = z + q;
                    }
                }
            }
            if (relu == 1 && z < 0f) {
                z = 0f;
            }
            m[outB * cap + s * sOut + r] = z;
        }
    }

    /* out[s,c,y,x] = max of in[s,c,2y..2y+1,2x..2x+1] */
    private void poolForward(int o) {
        int inB = prog[o + 1];
        int cc = prog[o + 2];
        int hh = prog[o + 3];
        int ww = prog[o + 4];
        int outB = prog[o + 5];
        int oh = hh / 2;
        int ow = ww / 2;
        int sOut = cc * oh * ow;
        int total = nb * sOut;
        int idx = getGlobalId();
        if (idx < total) {
            int s = idx / sOut;
            int r = idx - s * sOut;
            int c = r / (oh * ow);
            int r2 = r - c * oh * ow;
            int y = r2 / ow;
            int xx = r2 - y * ow;
            int i = inB * cap + s * cc * hh * ww + (c * hh + 2 * y) * ww + 2 * xx;
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
            m[outB * cap + idx] = v;
        }
    }

    /*
     * din[s,c,y,x] = dout[s,c,y/2,x/2] if (y,x) is the first maximum of its window, else 0;
     * times [a_in > 0] when the pooled tensor came from a ReLU.
     */
    private void poolBackward(int o) {
        int dOutB = prog[o + 1];
        int cc = prog[o + 2];
        int hh = prog[o + 3];
        int ww = prog[o + 4];
        int actB = prog[o + 5];
        int dInB = prog[o + 6];
        int relu = prog[o + 7];
        int oh = hh / 2;
        int ow = ww / 2;
        int sIn = cc * hh * ww;
        int total = nb * sIn;
        int idx = getGlobalId();
        if (idx < total) {
            int s = idx / sIn;
            int r = idx - s * sIn;
            int c = r / (hh * ww);
            int r2 = r - c * hh * ww;
            int y = r2 / ww;
            int xx = r2 - y * ww;
            int py = y / 2;
            int px = xx / 2;
            int i = actB * cap + s * sIn + (c * hh + 2 * py) * ww + 2 * px;
            float v = m[i];
            int arg = 0;
            if (m[i + 1] > v) {
                v = m[i + 1];
                arg = 1;
            }
            if (m[i + ww] > v) {
                v = m[i + ww];
                arg = 2;
            }
            if (m[i + ww + 1] > v) {
                v = m[i + ww + 1];
                arg = 3;
            }
            float d = 0f;
            if (arg == (y - 2 * py) * 2 + (xx - 2 * px)) {
                d = m[dOutB * cap + s * cc * oh * ow + (c * oh + py) * ow + px];
            }
            if (relu == 1 && m[actB * cap + idx] <= 0f) {
                d = 0f;
            }
            m[dInB * cap + idx] = d;
        }
    }

    /*
     * dK[o,c,ky,kx] = Σ_s P_s, P_s = Σ_{y,x} dz[s,o,y,x]·in[s,c,y+ky,x+kx]; db[o] = Σ_s Σ_{y,x} dz[s,o,y,x];
     * each sample's sum first, then the samples in order (the order the Java twin's lanes impose)
     */
    private void convBackwardWeights(int o) {
        int inB = prog[o + 1];
        int src = prog[o + 2];
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int dB = prog[o + 6];
        int oo = prog[o + 7];
        int wOff = prog[o + 8];
        int oh = hh - 4;
        int ow = ww - 4;
        int sOut = oo * oh * ow;
        int sIn = cc * hh * ww;
        int nw = oo * cc * 25;
        int total = nw + oo;
        int idx = getGlobalId();
        if (idx < total) {
            float acc = 0f;
            if (idx < nw) {
                int oc = idx / (cc * 25);
                int r = idx - oc * cc * 25;
                int c = r / 25;
                int r2 = r - c * 25;
                int ky = r2 / 5;
                int kx = r2 - ky * 5;
                for (int s = 0; s < nb; s++) {
                    float part = 0f;
                    for (int y = 0; y < oh; y++) {
                        int dr = dB * cap + s * sOut + (oc * oh + y) * ow;
                        int ir = inB * cap + s * sIn + (c * hh + y + ky) * ww + kx;
                        for (int xx = 0; xx < ow; xx++) {
                            float v = src == 1 ? x[ir + xx] : m[ir + xx];
                            float q = m[dr + xx] * v;
                            part = part + q;
                        }
                    }
                    acc = acc + part;
                }
            } else {
                int oc = idx - nw;
                for (int s = 0; s < nb; s++) {
                    int dr = dB * cap + s * sOut + oc * oh * ow;
                    float part = 0f;
                    for (int t = 0; t < oh * ow; t++) {
                        part = part + m[dr + t];
                    }
                    acc = acc + part;
                }
            }
            g[wOff + idx] = acc;
        }
    }

    /* din[s,c,y,x] = Σ_{o,ky,kx} dz[s,o,y−ky,x−kx]·K[o,c,ky,kx] (inside the output), times the ReLU mask */
    private void convBackwardInput(int o) {
        int dB = prog[o + 1];
        int oo = prog[o + 2];
        int cc = prog[o + 3];
        int hh = prog[o + 4];
        int ww = prog[o + 5];
        int wOff = prog[o + 6];
        int outB = prog[o + 7];
        int maskB = prog[o + 8];
        int oh = hh - 4;
        int ow = ww - 4;
        int sOut = oo * oh * ow;
        int sIn = cc * hh * ww;
        int total = nb * sIn;
        int idx = getGlobalId();
        if (idx < total) {
            int s = idx / sIn;
            int r = idx - s * sIn;
            int c = r / (hh * ww);
            int r2 = r - c * hh * ww;
            int y = r2 / ww;
            int xx = r2 - y * ww;
            float acc = 0f;
            for (int oc = 0; oc < oo; oc++) {
                for (int ky = 0; ky < 5; ky++) {
                    int oy = y - ky;
                    for (int kx = 0; kx < 5; kx++) {
                        int ox = xx - kx;
                        if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                            float q = m[dB * cap + s * sOut + (oc * oh + oy) * ow + ox]
                                    * p[wOff + ((oc * cc + c) * 5 + ky) * 5 + kx];
                            acc = acc + q;
                        }
                    }
                }
            }
            if (maskB >= 0 && m[maskB * cap + idx] <= 0f) {
                acc = 0f;
            }
            m[outB * cap + idx] = acc;
        }
    }
}
