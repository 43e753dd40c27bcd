package org.detrain.kernel;

import java.util.Arrays;

/**
 * The Java engine's dense passes and its loss, on the row-major workspace: a dense layer forward
 * (out = act(b + W·in)), softmax cross-entropy, and the dense layer's weight and input gradients.
 * Each output element gets the kernel's additions in the kernel's order (bias first, then the sum
 * in ascending index order); what changes with the shapes is only which index runs innermost, so
 * that the inner loop ({@link Loops#accumulate}) streams over contiguous memory and fills whole
 * vectors: the output width (W input-major, as the MLP and LeNet-5 store it), or the samples with
 * the batch transposed when the layer is narrower than a vector (the 10-way output).
 *
 * <p>A pass's arguments are its {@link NetProgram} code words; K is the input width, J the output
 * width, n the batch size.
 */
final class DensePasses {
    private final int[] code;
    private final NetBuffers buffers;
    private final PassThreads threads;
    private final LaneLayout lanes;

    DensePasses(NetProgram program, NetBuffers buffers, PassThreads threads, LaneLayout lanes) {
        this.code = program.code;
        this.buffers = buffers;
        this.threads = threads;
        this.lanes = lanes;
    }

    /*
     * out[s,j] = act(b[j] + Σ_k W[j,k]·in[s,k]), k ascending. Layers wider than the batch run over j
     * with Wᵀ (out[s,:] += in[s,k]·Wᵀ[k,:]), the others over the samples with the batch transposed
     * (z[:] += W[j,k]·inᵀ[k,:]); either way each element sees the same additions in the same order.
     */
    void forward(int at, float[] params, int n) {
        int inBase = code[at + 1];
        int inSource = code[at + 2];
        int inWidth = code[at + 3];
        int outBase = code[at + 4];
        int outWidth = code[at + 5];
        int weightsAt = code[at + 6];
        boolean relu = code[at + 7] == 1;
        boolean inputMajor = code[at + 8] == 1;
        int capacity = buffers.capacity;
        float[] in = buffers.source(inSource);
        float[] work = buffers.workspace;
        int inOff = inBase * capacity;
        int outOff = outBase * capacity;
        lanes.rowsOf(inSource, inBase);
        lanes.wroteRows(outBase);
        int biasAt = weightsAt + outWidth * inWidth;
        // W input-major: out[s,:] = b + Σ_k in[s,k]·W[k,:], rows as stored, unless the batch fills whole
        // vectors better than the layer's width does (then over the samples below: fewer scalar tails)
        int vector = Loops.LANES;
        boolean overSamples = n >= vector && (outWidth < vector || n % vector < outWidth % vector);
        if (inputMajor && !overSamples) {
            threads.split(n, (from, to, scratch) -> {
                int s = from;
                for (; s + 4 <= to; s += 4) { // four samples share each load of W
                    int outRow = outOff + s * outWidth;
                    for (int q = 0; q < 4; q++) {
                        System.arraycopy(params, biasAt, work, outRow + q * outWidth, outWidth);
                    }
                    int inRow = inOff + s * inWidth;
                    Loops.accumulate4(work, outRow, outRow + outWidth, outRow + 2 * outWidth, outRow + 3 * outWidth,
                            outWidth, in, inRow, inRow + inWidth, inRow + 2 * inWidth, inRow + 3 * inWidth, 1, params,
                            weightsAt, outWidth, inWidth);
                    if (relu) {
                        Loops.relu(work, outRow, 4 * outWidth);
                    }
                }
                for (; s < to; s++) {
                    int outRow = outOff + s * outWidth;
                    System.arraycopy(params, biasAt, work, outRow, outWidth);
                    Loops.accumulate(work, outRow, outWidth, in, inOff + s * inWidth, 1, params, weightsAt, outWidth,
                            inWidth);
                    if (relu) {
                        Loops.relu(work, outRow, outWidth);
                    }
                }
            });
            return;
        }
        if (!inputMajor && outWidth > n) { // output-major W: transpose the smaller of W (J x K) and the batch (n x K)
            float[] wT = threads.shared(inWidth * outWidth);
            for (int j = 0; j < outWidth; j++) {
                int row = weightsAt + j * inWidth;
                for (int k = 0; k < inWidth; k++) {
                    wT[k * outWidth + j] = params[row + k];
                }
            }
            threads.split(n, (from, to, scratch) -> {
                for (int s = from; s < to; s++) {
                    int outRow = outOff + s * outWidth;
                    System.arraycopy(params, biasAt, work, outRow, outWidth);
                    Loops.accumulate(work, outRow, outWidth, in, inOff + s * inWidth, 1, wT, 0, outWidth, inWidth);
                    if (relu) {
                        Loops.relu(work, outRow, outWidth);
                    }
                }
            });
            return;
        }
        float[] inT = threads.shared(inWidth * n);
        lanes.toLanes(in, inOff, inWidth, inT, n); // the batch transposed (K x n)
        threads.split(outWidth, (from, to, scratch) -> {
            float[] z = scratch.floats(n);
            for (int j = from; j < to; j++) {
                Arrays.fill(z, 0, n, params[biasAt + j]);
                if (inputMajor) { // W[k,j] at k·J + j
                    Loops.accumulate(z, 0, n, params, weightsAt + j, outWidth, inT, 0, n, inWidth);
                } else {
                    Loops.accumulate(z, 0, n, params, weightsAt + j * inWidth, 1, inT, 0, n, inWidth);
                }
                if (relu) {
                    Loops.relu(z, 0, n);
                }
                for (int s = 0; s < n; s++) {
                    work[outOff + s * outWidth + j] = z[s];
                }
            }
        });
    }

    /* loss_s = log Σ_c exp(z_c) − z_y; correct_s = [argmax z = y]; dz_c = (softmax(z)_c − [c = y]) / n */
    void softmaxCrossEntropy(int at, int n) {
        int logitsBase = code[at + 1];
        int classes = code[at + 2];
        int gradBase = code[at + 3];
        int capacity = buffers.capacity;
        float[] work = buffers.workspace;
        float[] results = buffers.results;
        int[] labels = buffers.labels;
        lanes.rowsOf(0, logitsBase);
        lanes.wroteRows(gradBase);
        float invN = 1f / n;
        for (int s = 0; s < n; s++) {
            int zRow = logitsBase * capacity + s * classes;
            float max = work[zRow];
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (work[zRow + c] > max) {
                    max = work[zRow + c];
                    best = c;
                }
            }
            float sum = 0f;
            for (int c = 0; c < classes; c++) {
                sum += (float) Math.exp(work[zRow + c] - max);
            }
            float logSumExp = max + (float) Math.log(sum);
            int y = labels[s];
            results[s] = logSumExp - work[zRow + y];
            results[capacity + s] = best == y ? 1f : 0f;
            int dRow = gradBase * capacity + s * classes;
            for (int c = 0; c < classes; c++) {
                float d = (float) Math.exp(work[zRow + c] - logSumExp);
                if (c == y) {
                    d -= 1f;
                }
                work[dRow + c] = d * invN;
            }
        }
    }

    /* dW[j,k] = Σ_s dz[s,j]·in[s,k] (s ascending), db[j] = Σ_s dz[s,j] */
    void backwardWeights(int at, int n) {
        int inBase = code[at + 1];
        int inSource = code[at + 2];
        int inWidth = code[at + 3];
        int gradBase = code[at + 4];
        int outWidth = code[at + 5];
        int weightsAt = code[at + 6];
        boolean inputMajor = code[at + 7] == 1;
        int capacity = buffers.capacity;
        float[] in = buffers.source(inSource);
        float[] work = buffers.workspace;
        float[] grad = buffers.gradient;
        int inOff = inBase * capacity;
        int dzOff = gradBase * capacity;
        int biasAt = weightsAt + outWidth * inWidth;
        lanes.rowsOf(inSource, inBase);
        lanes.rowsOf(0, gradBase);
        int vector = Loops.LANES;
        if (inputMajor && inWidth >= vector && (outWidth < vector || inWidth % vector < outWidth % vector)) {
            // a column dW[:,j] at a time when the input width fills whole vectors better than the layer's
            threads.split(outWidth, (from, to, scratch) -> {
                float[] z = scratch.floats(inWidth);
                for (int j = from; j < to; j++) {
                    Arrays.fill(z, 0, inWidth, 0f);
                    Loops.accumulate(z, 0, inWidth, work, dzOff + j, outWidth, in, inOff, inWidth, n);
                    for (int k = 0; k < inWidth; k++) {
                        grad[weightsAt + k * outWidth + j] = z[k];
                    }
                    grad[biasAt + j] = columnSum(work, dzOff + j, outWidth, n);
                }
            });
            return;
        }
        if (inputMajor) { // dW[k,:] = Σ_s in[s,k]·dz[s,:]
            threads.split(inWidth, (from, to, scratch) -> {
                int k = from;
                for (; k + 4 <= to; k += 4) { // four rows of dW share each load of dz
                    int row = weightsAt + k * outWidth;
                    Arrays.fill(grad, row, row + 4 * outWidth, 0f);
                    Loops.accumulate4(grad, row, row + outWidth, row + 2 * outWidth, row + 3 * outWidth, outWidth, in,
                            inOff + k, inOff + k + 1, inOff + k + 2, inOff + k + 3, inWidth, work, dzOff, outWidth, n);
                }
                for (; k < to; k++) {
                    Arrays.fill(grad, weightsAt + k * outWidth, weightsAt + (k + 1) * outWidth, 0f);
                    Loops.accumulate(grad, weightsAt + k * outWidth, outWidth, in, inOff + k, inWidth, work, dzOff,
                            outWidth, n);
                }
            });
            for (int j = 0; j < outWidth; j++) {
                grad[biasAt + j] = columnSum(work, dzOff + j, outWidth, n);
            }
            return;
        }
        threads.split(outWidth, (from, to, scratch) -> { // output-major: dW[j,:] = Σ_s dz[s,j]·in[s,:]
            for (int j = from; j < to; j++) {
                Arrays.fill(grad, weightsAt + j * inWidth, weightsAt + (j + 1) * inWidth, 0f);
                Loops.accumulate(grad, weightsAt + j * inWidth, inWidth, work, dzOff + j, outWidth, in, inOff, inWidth, n);
                grad[biasAt + j] = columnSum(work, dzOff + j, outWidth, n);
            }
        });
    }

    /** Σ_{s < n} a[first + s·stride], s ascending (a bias gradient: one column of dz). */
    private static float columnSum(float[] a, int first, int stride, int n) {
        float sum = 0f;
        for (int s = 0; s < n; s++) {
            sum += a[first + s * stride];
        }
        return sum;
    }

    /* din[s,:] = Σ_j dz[s,j]·W[j,:] (j ascending), then the ReLU mask */
    void backwardInput(int at, float[] params, int n) {
        int gradBase = code[at + 1];
        int outWidth = code[at + 2];
        int weightsAt = code[at + 3];
        int inWidth = code[at + 4];
        int inGradBase = code[at + 5];
        int maskBase = code[at + 6];
        boolean inputMajor = code[at + 7] == 1;
        int capacity = buffers.capacity;
        float[] work = buffers.workspace;
        int dzOff = gradBase * capacity;
        int dinOff = inGradBase * capacity;
        int maskOff = maskBase * capacity;
        lanes.rowsOf(0, gradBase);
        if (maskBase >= 0) {
            lanes.rowsOf(0, maskBase);
        }
        lanes.wroteRows(inGradBase);
        int vector = Loops.LANES;
        if (inputMajor && n >= vector && n % vector <= inWidth % vector) {
            // over the samples when the batch fills whole vectors at least as well as the input width:
            // din[:,k] = Σ_j W[k,j]·dzᵀ[j,:] (dz transposed, J x n; no transpose of W)
            float[] dzT = threads.shared(outWidth * n);
            lanes.toLanes(work, dzOff, outWidth, dzT, n);
            threads.split(inWidth, (from, to, scratch) -> {
                float[] z = scratch.floats(n);
                for (int k = from; k < to; k++) {
                    Arrays.fill(z, 0, n, 0f);
                    Loops.accumulate(z, 0, n, params, weightsAt + k * outWidth, 1, dzT, 0, n, outWidth);
                    for (int s = 0; s < n; s++) {
                        work[dinOff + s * inWidth + k] = z[s];
                    }
                }
            });
            if (maskBase >= 0) {
                threads.split(n, (from, to, scratch) -> {
                    for (int s = from; s < to; s++) {
                        Loops.zeroWhereNotPositive(work, dinOff + s * inWidth, work, maskOff + s * inWidth, inWidth);
                    }
                });
            }
            return;
        }
        float[] wRows = params; // rows W[j,:] of K floats, j ascending
        int wRowsAt = weightsAt;
        if (inputMajor) { // transpose W (J x K rows) once for all samples
            wRows = threads.shared(outWidth * inWidth);
            for (int k = 0; k < inWidth; k++) {
                for (int j = 0; j < outWidth; j++) {
                    wRows[j * inWidth + k] = params[weightsAt + k * outWidth + j];
                }
            }
            wRowsAt = 0;
        }
        float[] rows = wRows;
        int rowsAt = wRowsAt;
        threads.split(n, (from, to, scratch) -> {
            for (int s = from; s < to; s++) {
                int dinRow = dinOff + s * inWidth;
                Arrays.fill(work, dinRow, dinRow + inWidth, 0f);
                Loops.accumulate(work, dinRow, inWidth, work, dzOff + s * outWidth, 1, rows, rowsAt, inWidth, outWidth);
                if (maskBase >= 0) {
                    Loops.zeroWhereNotPositive(work, dinRow, work, maskOff + s * inWidth, inWidth);
                }
            }
        });
    }
}
