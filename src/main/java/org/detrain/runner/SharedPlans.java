package org.detrain.runner;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.detrain.config.RunConfig;

/**
 * The run plans of one JVM, shared by its ranks. Under MPJ's multicore device every rank is a thread
 * of one JVM, and this class sits on the JVM's own class path (only {@code org.detrain.comm.mpj} is
 * loaded per rank), so its statics are common to all ranks: the first rank to ask builds the plan —
 * dataset, partition, graph, W, spectrum, the algorithm's choices, the optimum — while the others
 * wait for it, and then all of them use it read-only. Memory is then O(dataset + n × model state)
 * per JVM instead of O(n × dataset), and start-up does the O(n)-per-rank work (partition, η search)
 * once instead of n times.
 *
 * <p>A plan is keyed by what determines it: the config's hash, the rank count and the dataset
 * directory as an absolute path ({@code dataset.dir=auto} resolves against the working directory).
 * It stays cached only while some rank holds it (a weak reference), so a long-lived JVM does not
 * keep an old run's dataset. A build that fails fails for every rank waiting on it.
 */
final class SharedPlans {
    /** What determines a plan. */
    record Key(String configHash, int ranks, Path datasetDir) {
        static Key of(RunConfig config, int ranks) {
            return new Key(config.hash(), ranks, RunPlan.datasetDir(config).toAbsolutePath().normalize());
        }
    }

    /** One key's plan; guarded by its own monitor, except {@code users}, guarded by {@link #SLOTS}. */
    private static final class Slot {
        volatile WeakReference<RunPlan> plan = new WeakReference<>(null);
        RuntimeException failure;
        int users;
    }

    private static final Map<Key, Slot> SLOTS = new HashMap<>();

    private SharedPlans() {
    }

    /** The whole plan of {@code config} on {@code ranks} ranks, built once per JVM however many ranks ask. */
    static RunPlan get(RunConfig config, int ranks) {
        return get(Key.of(config, ranks), () -> RunPlan.build(config, ranks));
    }

    /** The plan under {@code key}: the one already built and still in use, or {@code build}'s, run once. */
    static RunPlan get(Key key, Supplier<RunPlan> build) {
        Slot slot;
        synchronized (SLOTS) {
            slot = SLOTS.computeIfAbsent(key, k -> new Slot());
            slot.users++;
        }
        try {
            synchronized (slot) {
                RunPlan plan = slot.plan.get();
                if (plan != null) {
                    return plan;
                }
                if (slot.failure != null) {
                    throw slot.failure;
                }
                try {
                    plan = build.get();
                } catch (RuntimeException e) {
                    slot.failure = e;
                    throw e;
                }
                slot.plan = new WeakReference<>(plan);
                return plan;
            }
        } finally {
            synchronized (SLOTS) {
                // a slot nobody waits on keeps no failure and, once its plan is collected, goes
                if (--slot.users == 0) {
                    synchronized (slot) {
                        slot.failure = null;
                    }
                }
                SLOTS.values().removeIf(s -> s.users == 0 && s.plan.get() == null);
            }
        }
    }
}
