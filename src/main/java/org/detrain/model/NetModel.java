package org.detrain.model;

import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.NetEngine;
import org.detrain.kernel.NetProgram;
import org.detrain.util.Rng;

/**
 * A classifier given as a {@link NetProgram} (dense, convolution and pooling layers ending in
 * softmax cross-entropy) and run by a {@link NetEngine} on the rank's {@link ComputeDevice}. The
 * MLP and LeNet-5 are such networks ({@link Models}). Training batches and evaluation batches get
 * engines of their own, sized to their capacity, so neither re-allocates device buffers.
 */
public final class NetModel implements Model {
    private final String name;
    private final NetProgram program;
    private final ComputeDevice device;
    private final Initializer initializer;
    private NetEngine train;
    private NetEngine eval;

    /** Writes a model's initial parameters. */
    @FunctionalInterface
    public interface Initializer {
        void initialize(float[] params, Rng rng);
    }

    public NetModel(String name, NetProgram program, ComputeDevice device) {
        this(name, program, device, null);
    }

    /** With {@code initializer} null, weights start N(0, std²) per {@link NetProgram.Block} and biases 0. */
    public NetModel(String name, NetProgram program, ComputeDevice device, Initializer initializer) {
        this.name = name;
        this.program = program;
        this.device = device;
        this.initializer = initializer;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int dim() {
        return program.dim();
    }

    public NetProgram program() {
        return program;
    }

    @Override
    public String device() {
        return device.description();
    }

    @Override
    public void initialize(float[] params, Rng rng) {
        if (initializer != null) {
            initializer.initialize(params, rng);
            return;
        }
        for (NetProgram.Block b : program.blocks()) {
            for (int k = b.offset(); k < b.offset() + b.count(); k++) {
                params[k] = b.initStd() == 0 ? 0f : (float) (b.initStd() * rng.nextGaussian());
            }
        }
    }

    private static NetEngine fit(NetEngine engine, NetProgram program, ComputeDevice device, Batch batch) {
        if (engine != null && engine.capacity() >= batch.capacity()) {
            return engine;
        }
        if (engine != null) {
            engine.close();
        }
        return NetEngine.create(program, device, batch.capacity());
    }

    private void load(NetEngine engine, Batch batch) {
        if (batch.featureCount() != program.inputSize()) {
            throw new IllegalArgumentException("batch has " + batch.featureCount() + " features, model expects "
                    + program.inputSize());
        }
        int n = batch.size();
        System.arraycopy(batch.features, 0, engine.input(), 0, n * program.inputSize());
        int[] labels = engine.labels();
        for (int s = 0; s < n; s++) {
            int y = batch.labels[s];
            if (y < 0 || y >= program.classes()) {
                throw new IllegalArgumentException("label " + y + " outside [0, " + program.classes() + ")");
            }
            labels[s] = y;
        }
    }

    @Override
    public double lossAndGradient(float[] params, Batch batch, float[] grad) {
        train = fit(train, program, device, batch);
        load(train, batch);
        int n = batch.size();
        train.trainStep(params, n, grad);
        double loss = 0;
        for (int s = 0; s < n; s++) {
            loss += train.loss(s);
        }
        return loss / n;
    }

    @Override
    public void evaluate(float[] params, Batch batch, double[] acc) {
        eval = fit(eval, program, device, batch);
        load(eval, batch);
        int n = batch.size();
        eval.forward(params, n);
        for (int s = 0; s < n; s++) {
            acc[0] += eval.loss(s);
            acc[1] += eval.correct(s);
        }
    }

    @Override
    public void close() {
        if (train != null) {
            train.close();
        }
        if (eval != null) {
            eval.close();
        }
        train = null;
        eval = null;
    }
}
