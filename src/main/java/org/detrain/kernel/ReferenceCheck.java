package org.detrain.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Holds a fast engine (the Java engine or the Aparapi kernel on any device) against {@link NetRef}
 * on one program and batch, in two ways.
 *
 * <p><b>Pass by pass, with a derived bound.</b> After the engine's training step, every pass is run
 * again by the reference on the engine's own inputs to that pass (its workspace, which keeps every
 * tensor of the step), and each output element must agree within the float32 rounding that any
 * summation order may cause: |engine − reference| ≤ (m + 2)·u·Σ|terms| (+ m·2⁻¹²⁶ for GPUs that
 * flush subnormals), u = 2⁻²⁴, m the number of terms of that element's sum, and Σ|terms| computed
 * by the reference on the absolute values of its operands. That is γ_m of the textbook bound for
 * recursive summation of m products (each product and each addition rounds once) plus the
 * reference's own final rounding. Pooling is a selection and must agree exactly; the loss and its
 * gradient get the rounding of exp and log on top (OpenCL allows 3 ulp for each). A wrong index, a
 * missing term or a wrong mask is off by far more than the bound; reassociation never is. Inputs
 * are the engine's own, so a ReLU or pooling decision can never differ between the two.
 *
 * <p><b>End to end</b>, each engine from the same parameters and batch: per-sample losses and
 * every parameter-gradient block within a relative error of {@link #END_TO_END} (of the block's
 * largest magnitude). Here the roundings of all earlier layers add up and a ReLU or pooling
 * decision near a tie may differ, so the bound is an empirical one: two float32 engines agree to
 * about 1e-6 on these programs and to better than 1e-5 everywhere measured.
 */
public final class ReferenceCheck {
    /** The end-to-end tolerance (relative to the largest magnitude of a gradient block, or to max(1, |loss|)). */
    public static final double END_TO_END = 1e-4;
    private static final double U = 0x1p-24;
    private static final String[] OP_NAMES = {"", "dense", "xent", "dense-dW", "dense-din", "conv", "pool",
            "pool-back", "conv-dK", "conv-din"};

    private ReferenceCheck() {
    }

    /** One pass: the worst |engine − reference| / bound over its outputs (≤ 1 agrees), and where. */
    public record Pass(int pass, String op, double worstRatio, String worst) {
    }

    /** The check of one engine on one program and batch. */
    public record Result(String engine, String program, int batch, List<Pass> passes, double lossError,
                         double gradientError) {
        /** The worst pass's ratio of error to bound. */
        public double worstRatio() {
            return passes.stream().mapToDouble(Pass::worstRatio).max().orElse(0);
        }

        public boolean ok() {
            return worstRatio() <= 1 && lossError <= END_TO_END && gradientError <= END_TO_END;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                    "%s on %s, batch %d: worst pass error/bound %.3g, end to end: loss %.2g, gradient %.2g (tolerance %.0g)",
                    engine, program, batch, worstRatio(), lossError, gradientError, END_TO_END));
            for (Pass p : passes) {
                if (p.worstRatio > 1) {
                    b.append(String.format(Locale.ROOT, "%n  pass %d (%s): error %.3g x the bound at %s", p.pass, p.op,
                            p.worstRatio, p.worst));
                }
            }
            return b.toString();
        }
    }

    /** A human name for a program's pass (its op). */
    public static String opName(NetProgram program, int pass) {
        return OP_NAMES[program.code[pass * NetProgram.STRIDE]];
    }

    /**
     * Runs one training step of the program on {@code device} with capacity and batch n, from random
     * inputs, labels and parameters (seeded), and holds it against the reference.
     */
    public static Result check(NetProgram program, ComputeDevice device, int capacity, int n, long seed) {
        try (NetEngine engine = NetEngine.create(program, device, capacity)) {
            return check(program, engine, n, seed);
        }
    }

    static Result check(NetProgram program, NetEngine engine, int n, long seed) {
        Random rng = new Random(seed);
        float[] params = new float[program.dim()];
        for (NetProgram.Block b : program.blocks()) {
            double std = b.initStd() == 0 ? 0.1 : b.initStd();
            for (int k = b.offset(); k < b.offset() + b.count(); k++) {
                params[k] = (float) (std * rng.nextGaussian());
            }
        }
        int capacity = engine.capacity();
        NetRef ref = new NetRef(program, capacity);
        for (int i = 0; i < n * program.inputSize(); i++) {
            engine.input()[i] = rng.nextFloat();
        }
        for (int s = 0; s < n; s++) {
            engine.labels()[s] = rng.nextInt(program.classes());
        }
        System.arraycopy(engine.input(), 0, ref.input(), 0, n * program.inputSize());
        System.arraycopy(engine.labels(), 0, ref.labels(), 0, n);
        float[] grad = new float[program.dim()];
        float[] refGrad = new float[program.dim()];
        engine.trainStep(params, n, grad);
        ref.trainStep(params, n, refGrad);

        double lossError = 0;
        for (int s = 0; s < n; s++) {
            lossError = Math.max(lossError, Math.abs((double) engine.loss(s) - ref.loss(s)) / Math.max(1, Math.abs(ref.loss(s))));
        }
        double gradientError = 0;
        for (NetProgram.Block b : program.blocks()) {
            gradientError = Math.max(gradientError, relError(grad, refGrad, b.offset(), b.offset() + b.count()));
        }

        // pass by pass on the engine's own tensors
        NetBuffers state = NetBuffers.of(capacity, engine.input(), engine.workspace(), engine.labels(), program.dim());
        float[] results = new float[2 * capacity];
        for (int s = 0; s < n; s++) {
            results[s] = engine.loss(s);
            results[capacity + s] = engine.correct(s);
        }
        float[] absParams = abs(params);
        NetBuffers absState = NetBuffers.of(capacity, abs(state.input), abs(state.workspace), state.labels, program.dim());
        List<Pass> passes = new ArrayList<>();
        for (int pass = 0; pass < program.passes(); pass++) {
            NetBuffers out = NetBuffers.of(capacity, state.input, state.workspace, state.labels, program.dim());
            NetRef.runPass(program, pass, params, n, out);
            NetBuffers magnitude = NetBuffers.of(capacity, absState.input, absState.workspace, state.labels, program.dim());
            NetRef.runPass(program, pass, absParams, n, magnitude);
            passes.add(comparePass(program, pass, n, state, grad, results, out, magnitude));
        }
        return new Result(engine.device(), describe(program), n, passes, lossError, gradientError);
    }

    private static String describe(NetProgram program) {
        StringBuilder b = new StringBuilder();
        for (int pass = 0; pass < program.forwardPasses; pass++) {
            int at = pass * NetProgram.STRIDE;
            int[] c = program.code;
            switch (c[at]) {
                case NetProgram.DENSE_FWD -> b.append(b.length() == 0 ? c[at + 3] : "").append(" → dense ").append(c[at + 5])
                        .append(c[at + 8] == 1 ? "" : " (output-major)");
                case NetProgram.CONV_FWD -> b.append(b.length() == 0 ? c[at + 3] + "x" + c[at + 4] + "x" + c[at + 5] : "")
                        .append(" → conv ").append(c[at + 7]);
                case NetProgram.POOL_FWD -> b.append(" → pool");
                default -> { }
            }
        }
        return b.toString().trim();
    }

    /** The outputs of one pass against the reference's, each within its bound. */
    private static Pass comparePass(NetProgram program, int pass, int n, NetBuffers state, float[] grad, float[] results,
                                    NetBuffers ref, NetBuffers magnitude) {
        int[] c = program.code;
        int at = pass * NetProgram.STRIDE;
        int cap = state.capacity;
        Worst worst = new Worst();
        switch (c[at]) {
            case NetProgram.DENSE_FWD -> region(worst, "dense output", state.workspace, ref, magnitude, c[at + 4] * cap,
                    n * c[at + 5], c[at + 3] + 1);
            case NetProgram.DENSE_BWD_IN -> region(worst, "dense input gradient", state.workspace, ref, magnitude,
                    c[at + 5] * cap, n * c[at + 4], c[at + 2]);
            case NetProgram.CONV_FWD -> region(worst, "conv output", state.workspace, ref, magnitude, c[at + 6] * cap,
                    n * c[at + 7] * (c[at + 4] - 4) * (c[at + 5] - 4), c[at + 3] * 25 + 1);
            case NetProgram.CONV_BWD_IN -> region(worst, "conv input gradient", state.workspace, ref, magnitude,
                    c[at + 7] * cap, n * c[at + 3] * c[at + 4] * c[at + 5], c[at + 2] * 25);
            case NetProgram.POOL_FWD -> region(worst, "pool output", state.workspace, ref, magnitude, c[at + 5] * cap,
                    n * c[at + 2] * (c[at + 3] / 2) * (c[at + 4] / 2), 0);
            case NetProgram.POOL_BWD -> region(worst, "pool input gradient", state.workspace, ref, magnitude,
                    c[at + 6] * cap, n * c[at + 2] * c[at + 3] * c[at + 4], 0);
            case NetProgram.DENSE_BWD_W -> {
                int size = c[at + 5] * c[at + 3] + c[at + 5];
                compare(worst, "dense weight gradient", grad, ref.gradient, magnitude.gradient, c[at + 6], size, n);
            }
            case NetProgram.CONV_BWD_W -> {
                int plane = (c[at + 4] - 4) * (c[at + 5] - 4);
                int size = c[at + 7] * c[at + 3] * 25 + c[at + 7];
                compare(worst, "conv weight gradient", grad, ref.gradient, magnitude.gradient, c[at + 8], size, n * plane);
            }
            case NetProgram.XENT -> softmax(worst, state, results, ref, n, c[at + 1], c[at + 2], c[at + 3]);
            default -> throw new IllegalStateException("op " + c[at]);
        }
        return new Pass(pass, opName(program, pass), worst.ratio, worst.where);
    }

    private static final class Worst {
        double ratio;
        String where = "";

        void see(double diff, double bound, String what, int index, double engine, double reference) {
            double ratio = diff == 0 ? 0 : bound == 0 || Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff / bound;
            if (ratio > this.ratio || Double.isNaN(engine) != Double.isNaN(reference)) {
                this.ratio = Double.isNaN(ratio) ? Double.POSITIVE_INFINITY : ratio;
                where = String.format(Locale.ROOT, "%s[%d]: engine %.9g, reference %.9g, bound %.3g", what, index, engine,
                        reference, bound);
            }
        }
    }

    private static void region(Worst worst, String what, float[] engine, NetBuffers ref, NetBuffers magnitude, int from,
                               int count, int terms) {
        compare(worst, what, engine, ref.workspace, magnitude.workspace, from, count, terms);
    }

    /** Elements [from, from + count): |engine − ref| ≤ (terms + 2)·u·magnitude + terms·2⁻¹²⁶ (terms = 0: exact). */
    private static void compare(Worst worst, String what, float[] engine, float[] ref, float[] magnitude, int from,
                                int count, int terms) {
        for (int i = from; i < from + count; i++) {
            double bound = terms == 0 ? 0 : (terms + 2) * U * magnitude[i] + terms * (double) Float.MIN_NORMAL;
            worst.see(Math.abs((double) engine[i] - ref[i]), bound, what, i - from, engine[i], ref[i]);
        }
    }

    /*
     * The loss: max and the subtraction z_c − max round by u·|z_c − max|, each exp and the log by ≤ 3 ulp
     * (OpenCL; 1 in Java), the sum of C terms by γ_C, lse = max + log and lse − z_y by u each: together
     * below u·(16 + 2C + spread + |max| + |lse| + |z_y|), doubled as a cushion. dz_c = (p_c − [c = y])/n
     * inherits the error of lse relatively in p_c, plus its own exp, subtraction, 1/n and product.
     */
    private static void softmax(Worst worst, NetBuffers state, float[] results, NetBuffers ref, int n, int logitsBase,
                                int classes, int gradBase) {
        int cap = state.capacity;
        for (int s = 0; s < n; s++) {
            int row = logitsBase * cap + s * classes;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, state.workspace[row + c]);
            }
            double sum = 0;
            double spread = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(state.workspace[row + c] - max);
                spread = Math.max(spread, max - state.workspace[row + c]);
            }
            double lse = max + Math.log(sum);
            int y = state.labels[s];
            double lossBound = 2 * U * (16 + 2 * classes + spread + Math.abs(max) + Math.abs(lse)
                    + Math.abs(state.workspace[row + y]));
            worst.see(Math.abs((double) results[s] - ref.results[s]), lossBound, "loss", s, results[s], ref.results[s]);
            worst.see(results[cap + s] == ref.results[cap + s] ? 0 : 1, 0, "correct", s, results[cap + s],
                    ref.results[cap + s]);
            for (int c = 0; c < classes; c++) {
                double p = Math.exp(state.workspace[row + c] - lse);
                double d = p - (c == y ? 1 : 0);
                double bound = 2 * (p * (lossBound + U * Math.abs(state.workspace[row + c] - lse) + 8 * U)
                        + 4 * U * Math.abs(d)) / n + Float.MIN_NORMAL;
                int i = gradBase * cap + s * classes + c;
                worst.see(Math.abs((double) state.workspace[i] - ref.workspace[i]), bound, "logit gradient",
                        i - gradBase * cap, state.workspace[i], ref.workspace[i]);
            }
        }
    }

    /** ‖a − b‖∞ / max(‖b‖∞, tiny) over [from, to). */
    static double relError(float[] a, float[] b, int from, int to) {
        double diff = 0;
        double scale = 0;
        for (int i = from; i < to; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs((double) b[i]));
        }
        return scale == 0 ? diff : diff / scale;
    }

    private static float[] abs(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = Math.abs(a[i]);
        }
        return out;
    }
}
