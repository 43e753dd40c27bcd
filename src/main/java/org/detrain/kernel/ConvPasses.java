package org.detrain.kernel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The Java engine's convolution and pooling passes (5x5 convolutions, stride 1, no padding; 2x2
 * max-pooling, stride 2), all on lane copies ({@link LaneLayout}): the samples are the vector
 * lanes, so every lane computes a real output and the order of a sum never depends on the vector
 * width. The forward convolution and the input gradient sum a list of (input offset, coefficient)
 * terms for four filters (or four input channels) at once, so each load serves four outputs; the
 * weight gradient keeps 4 filters x 4 (c, ky, kx) sums in registers, each lane accumulating its own
 * sample's sum, and adds the samples' sums in sample order afterwards, as the kernel does.
 *
 * <p>A pass's arguments are its {@link NetProgram} code words: C input channels of H x W, O output
 * channels (filters) of (H−4) x (W−4), n samples padded to {@code padded} lanes.
 */
final class ConvPasses {
    private final int[] code;
    private final NetBuffers buffers;
    private final PassThreads threads;
    private final LaneLayout lanes;
    /** The coefficients (K or its transpose) arranged for the lane loops; shared by the passes. */
    private float[] coefficients = new float[0];
    /** Per convolution pass (keyed by its code offset): its term lists for the current lane count. */
    private final Map<Integer, int[][]> termLists = new HashMap<>();

    ConvPasses(NetProgram program, NetBuffers buffers, PassThreads threads, LaneLayout lanes) {
        this.code = program.code;
        this.buffers = buffers;
        this.threads = threads;
        this.lanes = lanes;
    }

    /*
     * out[s,o,y,x] = act(b[o] + Σ_{c,ky,kx} K[o,c,ky,kx]·in[s,c,y+ky,x+kx]), bias first, then (c, ky, kx)
     * ascending. Four filters share each load of the input.
     */
    void forward(int at, float[] params, int n) {
        int inBase = code[at + 1];
        int inSource = code[at + 2];
        int channels = code[at + 3];
        int height = code[at + 4];
        int width = code[at + 5];
        int outBase = code[at + 6];
        int filters = code[at + 7];
        int weightsAt = code[at + 8];
        boolean relu = code[at + 9] == 1;
        int outWidth = width - 4;
        int plane = (height - 4) * outWidth;
        int terms = channels * 25;
        int padded = lanes.paddedBatch();
        float[] in = lanesOf(inSource, inBase, channels * height * width);
        float[] out = lanes.lanesFor(outBase, filters * plane);
        coefficients = LaneLayout.grow(coefficients, terms * filters);
        float[] kT = coefficients; // K transposed: K[o,c,ky,kx] at kT[(c·25 + ky·5 + kx)·O + o]
        for (int filter = 0; filter < filters; filter++) {
            for (int term = 0; term < terms; term++) {
                kT[term * filters + filter] = params[weightsAt + filter * terms + term];
            }
        }
        int[][] list = termList(at, padded, lanesPadded -> {
            int[] inputOffset = new int[terms];
            int[] coefIndex = new int[terms];
            for (int term = 0; term < terms; term++) {
                inputOffset[term] = windowTerm(term, height, width) * lanesPadded;
                coefIndex[term] = term * filters;
            }
            return new int[][] {{0, terms}, inputOffset, coefIndex, {lanesPadded}};
        });
        int blocks = (filters + 3) / 4;
        int biasAt = weightsAt + filters * terms;
        threads.split(blocks * plane, (from, to, scratch) -> {
            for (int job = from; job < to; job++) {
                int f0 = job / plane * 4;
                int pos = job % plane;
                int y = pos / outWidth;
                int corner = (y * width + pos - y * outWidth) * padded;
                // a short block repeats its last filter (the same value written twice)
                int f1 = Math.min(f0 + 1, filters - 1);
                int f2 = Math.min(f0 + 2, filters - 1);
                int f3 = Math.min(f0 + 3, filters - 1);
                for (int v = 0; v < padded; v += Loops.LANES) {
                    Loops.laneTerms4(out, (f0 * plane + pos) * padded + v, (f1 * plane + pos) * padded + v,
                            (f2 * plane + pos) * padded + v, (f3 * plane + pos) * padded + v, in, list[1], 0, terms,
                            corner + v, kT, list[2], f0, f1, f2, f3, params[biasAt + f0], params[biasAt + f1],
                            params[biasAt + f2], params[biasAt + f3], relu);
                }
            }
        });
    }

    /*
     * out = max of each 2x2 window: the first maximum in the order (0,0), (0,1), (1,0), (1,1), as the
     * kernel decides it (its backward pass sends the gradient to that element); vector blends, no branches.
     */
    void poolForward(int at) {
        int inBase = code[at + 1];
        int channels = code[at + 2];
        int height = code[at + 3];
        int width = code[at + 4];
        int outBase = code[at + 5];
        int outHeight = height / 2;
        int outWidth = width / 2;
        int padded = lanes.paddedBatch();
        float[] in = lanesOf(0, inBase, channels * height * width);
        float[] out = lanes.lanesFor(outBase, channels * outHeight * outWidth);
        threads.split(channels * outHeight * outWidth, (from, to, scratch) -> {
            for (int window = from; window < to; window++) {
                int a = windowCorner(window, outHeight, outWidth, height, width, padded);
                Loops.poolMaxLanes(out, window * padded, in, a, a + padded, a + width * padded,
                        a + (width + 1) * padded, padded);
            }
        });
    }

    /*
     * din = dout at each window's first maximum (found as in the forward pass), zero at the other
     * three; zero too where the ReLU before the pool was off (the winner not > 0).
     */
    void poolBackward(int at) {
        int outGradBase = code[at + 1];
        int channels = code[at + 2];
        int height = code[at + 3];
        int width = code[at + 4];
        int actBase = code[at + 5];
        int inGradBase = code[at + 6];
        boolean relu = code[at + 7] == 1;
        int outHeight = height / 2;
        int outWidth = width / 2;
        int inSize = channels * height * width;
        int padded = lanes.paddedBatch();
        float[] dOut = lanesOf(0, outGradBase, channels * outHeight * outWidth);
        float[] act = lanesOf(0, actBase, inSize);
        float[] dIn = lanes.lanesFor(inGradBase, inSize);
        if (height % 2 == 1 || width % 2 == 1) { // a last row or column that no window covers
            Arrays.fill(dIn, 0, inSize * padded, 0f);
        }
        threads.split(channels * outHeight * outWidth, (from, to, scratch) -> {
            for (int window = from; window < to; window++) {
                int a = windowCorner(window, outHeight, outWidth, height, width, padded);
                Loops.poolGradLanes(dIn, act, a, a + padded, a + width * padded, a + (width + 1) * padded, dOut,
                        window * padded, relu, padded);
            }
        });
    }

    /*
     * dK[o,c,ky,kx] = Σ_s P_s, P_s = Σ_{y,x} dz[s,o,y,x]·in[s,c,y+ky,x+kx] with (y, x) ascending and the
     * per-sample sums added in ascending s; db[o] = Σ_s Σ_{y,x} dz[s,o,y,x] alike. Each lane builds its
     * own sample's P_s, blocks of 4 filters x 4 (c, ky, kx) share their loads, and adding the P_s in
     * order afterwards makes the result independent of the vector width.
     */
    void backwardWeights(int at, int n) {
        int inBase = code[at + 1];
        int inSource = code[at + 2];
        int channels = code[at + 3];
        int height = code[at + 4];
        int width = code[at + 5];
        int outGradBase = code[at + 6];
        int filters = code[at + 7];
        int weightsAt = code[at + 8];
        int outHeight = height - 4;
        int outWidth = width - 4;
        int plane = outHeight * outWidth;
        int terms = channels * 25;
        int padded = lanes.paddedBatch();
        float[] grad = buffers.gradient;
        float[] in = lanesOf(inSource, inBase, channels * height * width);
        float[] dz = lanesOf(0, outGradBase, filters * plane);
        int filterBlocks = (filters + 3) / 4;
        int termBlocks = (terms + 3) / 4;
        int blocks = filterBlocks * termBlocks;
        threads.split(blocks + filters, (from, to, scratch) -> {
            float[] part = scratch.floats(16 * padded);
            for (int block = from; block < to; block++) {
                if (block >= blocks) { // a bias
                    int filter = block - blocks;
                    for (int v = 0; v < padded; v += Loops.LANES) {
                        Loops.laneSum(part, v, dz, filter * plane * padded + v, plane, padded);
                    }
                    grad[weightsAt + filters * terms + filter] = sumSamples(part, 0, n);
                    continue;
                }
                int f0 = block / termBlocks * 4;
                int t0 = block % termBlocks * 4;
                int[] dzAt = new int[4];
                int[] inAt = new int[4];
                for (int k = 0; k < 4; k++) { // a short block repeats its last filter or term (results dropped)
                    dzAt[k] = Math.min(f0 + k, filters - 1) * plane * padded;
                    inAt[k] = windowTerm(Math.min(t0 + k, terms - 1), height, width) * padded;
                }
                for (int v = 0; v < padded; v += Loops.LANES) {
                    Loops.laneDots4x4(part, v, padded, dz, dzAt[0] + v, dzAt[1] + v, dzAt[2] + v, dzAt[3] + v,
                            outWidth * padded, in, inAt[0] + v, inAt[1] + v, inAt[2] + v, inAt[3] + v, width * padded,
                            outHeight, outWidth, padded);
                }
                for (int k = 0; k < 4 && f0 + k < filters; k++) {
                    for (int j = 0; j < 4 && t0 + j < terms; j++) {
                        grad[weightsAt + (f0 + k) * terms + t0 + j] = sumSamples(part, (4 * k + j) * padded, n);
                    }
                }
            }
        });
    }

    /*
     * din[s,c,y,x] = Σ_{o,ky,kx} K[o,c,ky,kx]·dz[s,o,y−ky,x−kx] over the terms inside dz, (o, ky, kx)
     * ascending, then the ReLU mask. Only the valid terms are summed, and four input channels share
     * each load of dz.
     */
    void backwardInput(int at, float[] params) {
        int outGradBase = code[at + 1];
        int filters = code[at + 2];
        int channels = code[at + 3];
        int height = code[at + 4];
        int width = code[at + 5];
        int weightsAt = code[at + 6];
        int inGradBase = code[at + 7];
        int maskBase = code[at + 8];
        int outHeight = height - 4;
        int outWidth = width - 4;
        int inSize = channels * height * width;
        int inPlane = height * width;
        int padded = lanes.paddedBatch();
        float[] dz = lanesOf(0, outGradBase, filters * outHeight * outWidth);
        float[] mask = maskBase >= 0 ? lanesOf(0, maskBase, inSize) : null;
        float[] din = lanes.lanesFor(inGradBase, inSize);
        coefficients = LaneLayout.grow(coefficients, filters * 25 * channels);
        float[] kT = coefficients; // K[o,c,ky,kx] at kT[(o·25 + ky·5 + kx)·C + c]
        for (int filter = 0; filter < filters; filter++) {
            for (int c = 0; c < channels; c++) {
                for (int k = 0; k < 25; k++) {
                    kT[(filter * 25 + k) * channels + c] = params[weightsAt + (filter * channels + c) * 25 + k];
                }
            }
        }
        int[][] list = termList(at, padded, lanesPadded -> validTerms(filters, channels, height, width, lanesPadded));
        int[] start = list[0];
        int blocks = (channels + 3) / 4;
        threads.split(blocks * inPlane, (from, to, scratch) -> {
            for (int job = from; job < to; job++) {
                int c0 = job / inPlane * 4;
                int pos = job % inPlane;
                int c1 = Math.min(c0 + 1, channels - 1); // a short block repeats its last channel
                int c2 = Math.min(c0 + 2, channels - 1);
                int c3 = Math.min(c0 + 3, channels - 1);
                for (int v = 0; v < padded; v += Loops.LANES) {
                    Loops.laneTerms4(din, (c0 * inPlane + pos) * padded + v, (c1 * inPlane + pos) * padded + v,
                            (c2 * inPlane + pos) * padded + v, (c3 * inPlane + pos) * padded + v, dz, list[1], start[pos],
                            start[pos + 1] - start[pos], v, kT, list[2], c0, c1, c2, c3, 0f, 0f, 0f, 0f, false);
                }
            }
        });
        if (mask != null) {
            Loops.zeroWhereNotPositive(din, 0, mask, 0, inSize * padded);
        }
    }

    private float[] lanesOf(int source, int regionBase, int perSample) {
        return lanes.lanesOf(source, regionBase, perSample);
    }

    /** Σ_{s < n} part[offset + s], s ascending: the samples' partial sums of a weight gradient. */
    private static float sumSamples(float[] part, int offset, int n) {
        float sum = 0f;
        for (int s = 0; s < n; s++) {
            sum += part[offset + s];
        }
        return sum;
    }

    /** A pass's term lists, built once per lane count (the last entry of a list holds that count). */
    private int[][] termList(int at, int padded, IntFunction<int[][]> build) {
        int[][] list = termLists.get(at);
        if (list == null || list[3][0] != padded) {
            list = build.apply(padded);
            termLists.put(at, list);
        }
        return list;
    }

    /** Where term q = (c, ky, kx) of a 5x5 window starts in C planes of H x W: (c·H + ky)·W + kx. */
    private static int windowTerm(int q, int height, int width) {
        return ((q / 25) * height + (q % 25) / 5) * width + q % 5;
    }

    /** The lane offset of the top-left element of pooling window (c, y, x) of an outHeight x outWidth output. */
    private static int windowCorner(int window, int outHeight, int outWidth, int height, int width, int padded) {
        int c = window / (outHeight * outWidth);
        int y = window / outWidth - c * outHeight;
        int x = window % outWidth;
        return ((c * height + 2 * y) * width + 2 * x) * padded;
    }

    /**
     * For every input position t = y·W + x: the terms (o, ky, kx) with (y − ky, x − kx) inside the
     * output, ascending, as [start (positions + 1), dz lane offset, index into the transposed K, {padded}].
     */
    private static int[][] validTerms(int filters, int channels, int height, int width, int padded) {
        int outHeight = height - 4;
        int outWidth = width - 4;
        int[] start = new int[height * width + 1];
        List<int[]> list = new ArrayList<>();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                start[y * width + x] = list.size();
                for (int filter = 0; filter < filters; filter++) {
                    for (int ky = Math.max(0, y - outHeight + 1); ky <= Math.min(4, y); ky++) {
                        for (int kx = Math.max(0, x - outWidth + 1); kx <= Math.min(4, x); kx++) {
                            list.add(new int[] {((filter * outHeight + y - ky) * outWidth + x - kx) * padded,
                                    (filter * 25 + ky * 5 + kx) * channels});
                        }
                    }
                }
            }
        }
        start[height * width] = list.size();
        int[] dzOffset = new int[list.size()];
        int[] coefIndex = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            dzOffset[i] = list.get(i)[0];
            coefIndex[i] = list.get(i)[1];
        }
        return new int[][] {start, dzOffset, coefIndex, {padded}};
    }
}
