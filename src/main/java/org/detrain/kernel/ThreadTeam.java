package org.detrain.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads for the Java engine's passes: {@link #run} splits [0, count) into one
 * contiguous range per member (the caller takes the first) and returns when all are done. A pass
 * at batch 32 lasts tens of microseconds, so members wait for the next one spinning for a short
 * while before they park; handing each range to an executor (submit, then Future.get) cost more than
 * the work and made two threads slower than one.
 */
final class ThreadTeam implements AutoCloseable {
    /** How long a member or the caller spins before it parks (a pass's gap rarely exceeds it). */
    private static final long SPIN_NANOS = 50_000;

    /** A range of a task. */
    @FunctionalInterface
    interface Range {
        void run(int member, int from, int to);
    }

    private final Thread[] members;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile Thread caller;
    private Range task;
    private int count;
    private int parts;

    /** A team of {@code size} threads in all: the caller plus size − 1 daemon members. */
    ThreadTeam(int size, String name) {
        members = new Thread[size - 1];
        for (int t = 1; t < size; t++) {
            int member = t;
            members[t - 1] = new Thread(() -> serve(member), name + "-" + t);
            members[t - 1].setDaemon(true);
            members[t - 1].start();
        }
    }

    int size() {
        return members.length + 1;
    }

    /** Runs task over [0, count) in min(size, count) contiguous ranges, each by one thread. */
    void run(int count, Range task) {
        int parts = Math.min(size(), count);
        if (parts <= 1) {
            task.run(0, 0, count);
            return;
        }
        this.task = task;
        this.count = count;
        this.parts = parts;
        this.failure = null;
        this.caller = Thread.currentThread();
        remaining.set(parts - 1);
        generation++; // volatile: publishes the task to the members
        for (int t = 1; t < parts; t++) {
            LockSupport.unpark(members[t - 1]);
        }
        Throwable own = null;
        try {
            task.run(0, 0, (int) ((long) count / parts));
        } catch (RuntimeException | Error e) {
            own = e; // after the members are done: the next task must not start under them
        }
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (remaining.get() > 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 100_000);
            }
        }
        if (own instanceof RuntimeException r) {
            throw r;
        }
        if (own instanceof Error e) {
            throw e;
        }
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("a kernel pass failed: " + f, f);
        }
    }

    private void serve(int member) {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 1_000_000);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            if (member < parts) {
                try {
                    task.run(member, (int) ((long) count * member / parts), (int) ((long) count * (member + 1) / parts));
                } catch (Throwable e) {
                    failure = e;
                }
                if (remaining.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : members) {
            LockSupport.unpark(t);
        }
    }
}
