package org.detrain.algo;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything one rank's algorithm carries from one iteration to the next, in named float32
 * buffers (x, trackers, previous iterates and gradients, gossip history, momentum...) and named
 * scalars (push-sum weight...). Nothing an algorithm needs to resume lives elsewhere, so a
 * checkpoint of this object plus the sampler state restarts a rank bit for bit.
 */
public final class AlgorithmState {
    private final Map<String, float[]> buffers = new LinkedHashMap<>();
    private final Map<String, Double> scalars = new LinkedHashMap<>();
    private long iteration;

    /** Creates (zero-filled) or returns the buffer of that name. */
    public float[] buffer(String name, int length) {
        float[] b = buffers.computeIfAbsent(name, k -> new float[length]);
        if (b.length != length) {
            throw new IllegalStateException("buffer " + name + " has length " + b.length + ", not " + length);
        }
        return b;
    }

    public float[] buffer(String name) {
        float[] b = buffers.get(name);
        if (b == null) {
            throw new IllegalStateException("no state buffer named " + name);
        }
        return b;
    }

    public double scalar(String name) {
        Double v = scalars.get(name);
        if (v == null) {
            throw new IllegalStateException("no state scalar named " + name);
        }
        return v;
    }

    public void setScalar(String name, double value) {
        scalars.put(name, value);
    }

    public Map<String, float[]> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    public Map<String, Double> scalars() {
        return Collections.unmodifiableMap(scalars);
    }

    public long iteration() {
        return iteration;
    }

    public void setIteration(long iteration) {
        this.iteration = iteration;
    }
}
