package org.detrain.diag;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.detrain.kernel.AparapiVectorOps;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.JavaVectorOps;
import org.detrain.kernel.Loops;
import org.detrain.kernel.NetEngine;
import org.detrain.kernel.NetProgram;
import org.detrain.kernel.VectorOps;
import org.detrain.util.DetrainException;
import org.detrain.util.Rng;
import org.detrain.model.Models;

/**
 * {@code detrain devices}: what the {@code device} key can name on this machine, and a self-check of
 * one device against the Java reference — a training step of every model (loss and gradient to a
 * relative error of 1e-5) and the mixing arithmetic (bit for bit). Meant for a new machine, a new
 * OpenCL driver or a GPU, before a long run.
 */
public final class DeviceCheck {
    private static final double TOLERANCE = 1e-5;

    private DeviceCheck() {
    }

    /** Lists the devices and what {@code auto} picks. */
    public static void list(PrintStream out) {
        out.printf("java   the Java engine (Vector API loops in this JVM: %s; ranks always have them)%n",
                Loops.VECTOR ? "yes" : "no");
        out.println("jtp    the Aparapi kernels on Aparapi's Java thread pool");
        List<String> cl = ComputeDevice.listOpenCl();
        if (cl.isEmpty()) {
            out.println("cpu    (no OpenCL platform: install pocl-opencl-icd, e.g. make deps)");
            out.println("gpu    (no OpenCL platform)");
            out.println("auto   (no OpenCL device)");
            return;
        }
        for (String kind : List.of("cpu", "gpu", "auto")) {
            String d;
            try {
                d = ComputeDevice.select(kind).description();
            } catch (DetrainException absent) {
                d = "(none)";
            }
            out.printf(Locale.ROOT, "%-6s %s%n", kind, d);
        }
        out.println("OpenCL devices: " + String.join(", ", cl));
    }

    /** Checks {@code request} against the Java reference; a mismatch is a run failure (exit 3). */
    public static void check(String request, PrintStream out) {
        ComputeDevice device = ComputeDevice.select(request);
        out.println("checking " + device.description() + " against java");
        boolean ok = true;
        Rng rng = new Rng(7);
        List<Object[]> programs = List.of(
                new Object[] {"softmax 784-10", Models.softmaxProgram(784, 10)},
                new Object[] {"mlp 784-32-10", Models.mlpProgram(784, new int[] {32}, 10)},
                new Object[] {"lenet 28x28x1", Models.lenetProgram(new int[] {1, 28, 28}, 10)},
                new Object[] {"lenet 32x32x3", Models.lenetProgram(new int[] {3, 32, 32}, 10)});
        for (Object[] entry : programs) {
            ok &= step((String) entry[0], (NetProgram) entry[1], device, rng, out);
        }
        ok &= mixing(device, rng, out);
        if (!ok) {
            throw DetrainException.runFailure(device.description() + " does not match the Java reference (see above);"
                    + " run with device=java and report the device, driver and these numbers", null);
        }
        out.println("check passed");
    }

    private static boolean step(String name, NetProgram program, ComputeDevice device, Rng rng, PrintStream out) {
        int n = 16;
        NetEngine java = NetEngine.create(program, ComputeDevice.JAVA, n);
        NetEngine other = NetEngine.create(program, device, n);
        try {
            for (int i = 0; i < n * program.inputSize(); i++) {
                float v = (float) rng.nextDouble();
                java.input()[i] = v;
                other.input()[i] = v;
            }
            for (int s = 0; s < n; s++) {
                int y = rng.nextInt(program.classes());
                java.labels()[s] = y;
                other.labels()[s] = y;
            }
            float[] params = new float[program.dim()];
            for (NetProgram.Block b : program.blocks()) {
                for (int k = b.offset(); k < b.offset() + b.count(); k++) {
                    params[k] = (float) (b.initStd() == 0 ? 0.01 * rng.nextGaussian() : b.initStd() * rng.nextGaussian());
                }
            }
            float[] gj = new float[program.dim()];
            float[] go = new float[program.dim()];
            long t0 = System.nanoTime();
            java.trainStep(params, n, gj);
            long t1 = System.nanoTime();
            other.trainStep(params, n, go);
            long t2 = System.nanoTime();
            double diff = 0;
            double scale = 0;
            for (int k = 0; k < gj.length; k++) {
                diff = Math.max(diff, Math.abs((double) gj[k] - go[k]));
                scale = Math.max(scale, Math.abs((double) gj[k]));
            }
            double lossDiff = 0;
            for (int s = 0; s < n; s++) {
                lossDiff = Math.max(lossDiff, Math.abs(java.loss(s) - other.loss(s)) / Math.max(1e-30, Math.abs(java.loss(s))));
            }
            double gradErr = scale == 0 ? diff : diff / scale;
            boolean ok = gradErr <= TOLERANCE && lossDiff <= TOLERANCE && Double.isFinite(gradErr);
            out.printf(Locale.ROOT, "  %-14s gradient rel. error %.1e, loss rel. error %.1e  %s  (first step: java %.1f ms, %s %.1f ms)%n",
                    name, gradErr, lossDiff, ok ? "ok" : "MISMATCH", (t1 - t0) / 1e6, device.kind().name().toLowerCase(Locale.ROOT),
                    (t2 - t1) / 1e6);
            return ok;
        } finally {
            java.close();
            other.close();
        }
    }

    private static boolean mixing(ComputeDevice device, Rng rng, PrintStream out) {
        if (device.kind() == ComputeDevice.Kind.JAVA) {
            return true;
        }
        int count = 100_003;
        float[] self = new float[count];
        float[][] in = new float[3][count];
        float[] w = {0.25f, 0.25f, 0.125f};
        for (int i = 0; i < count; i++) {
            self[i] = (float) rng.nextGaussian();
            for (float[] a : in) {
                a[i] = (float) rng.nextGaussian();
            }
        }
        float[] expected = new float[count];
        float[] actual = new float[count];
        VectorOps ops = new AparapiVectorOps(device);
        try {
            JavaVectorOps.INSTANCE.weightedSum(expected, 0.375f, self, w, in, count);
            ops.weightedSum(actual, 0.375f, self, w, in, count);
            boolean mixOk = java.util.Arrays.equals(expected, actual);
            JavaVectorOps.INSTANCE.linearCombination(expected, 1f, self, -0.1f, in[0], count);
            ops.linearCombination(actual, 1f, self, -0.1f, in[0], count);
            boolean lcOk = java.util.Arrays.equals(expected, actual);
            out.printf("  mixing         weightedSum %s, linearCombination %s (bit for bit)%n",
                    mixOk ? "ok" : "MISMATCH", lcOk ? "ok" : "MISMATCH");
            return mixOk && lcOk;
        } finally {
            ((AparapiVectorOps) ops).close();
        }
    }
}
