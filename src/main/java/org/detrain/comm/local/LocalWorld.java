package org.detrain.comm.local;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.detrain.comm.Communicator;
import org.detrain.comm.RankProgram;
import org.detrain.util.DetrainException;

/**
 * n ranks as threads of this JVM, talking through in-memory mailboxes: the {@link Communicator}
 * semantics without MPJ, for tests of gossip and algorithms that should run in milliseconds.
 * {@link #run} starts one thread per rank, joins them and rethrows the first failure; when a rank
 * fails, every other rank's next (or current) wait ends at once instead of at the timeout.
 *
 * <p>Messages are matched like MPI's: per (sender, receiver, tag) in the order the receives were
 * posted, never overtaking. Collectives travel on their own channels (no user tag can meet them) and
 * are point-to-point underneath: gather = every rank sends to the root, which receives in rank order.
 */
public final class LocalWorld {
    /** What each rank runs. */
    @FunctionalInterface
    public interface RankBody {
        void run(Communicator comm) throws Exception;
    }

    private final int size;
    private final long timeoutNanos;
    private final Mailbox[] mailboxes;
    private final AtomicReference<Failure> firstFailure = new AtomicReference<>();

    private record Failure(int rank, Throwable cause) {
    }

    /**
     * @param size           number of ranks, at least 1
     * @param timeoutSeconds how long a rank waits for a peer before it fails naming that peer
     */
    public LocalWorld(int size, double timeoutSeconds) {
        if (size < 1) {
            throw new IllegalArgumentException("a world needs at least one rank, not " + size);
        }
        if (!(timeoutSeconds > 0)) {
            throw new IllegalArgumentException("the timeout must be positive, not " + timeoutSeconds);
        }
        this.size = size;
        this.timeoutNanos = (long) (timeoutSeconds * 1e9);
        this.mailboxes = new Mailbox[size];
        for (int r = 0; r < size; r++) {
            mailboxes[r] = new Mailbox();
        }
    }

    /** Runs {@code body} on {@code size} rank threads of a fresh world; see {@link #run(RankBody)}. */
    public static void run(int size, double timeoutSeconds, RankBody body) {
        new LocalWorld(size, timeoutSeconds).run(body);
    }

    /** Runs a {@link RankProgram} on every rank, as MPJ's entry point does (failures reported per rank). */
    public void run(RankProgram program, String[] args) {
        run(comm -> {
            try {
                program.run(comm, args);
            } catch (Exception | Error e) {
                program.reportFailure(comm.rank(), e);
                throw e;
            }
        });
    }

    /**
     * Starts one thread per rank, each running {@code body} with its own communicator, and waits for
     * all of them. Rethrows the first failure (unchecked exceptions and errors as they are, checked
     * ones wrapped in a run failure); the other ranks' consequent failures are attached as suppressed.
     * A world runs once.
     */
    public void run(RankBody body) {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> later = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int r = 0; r < size; r++) {
            LocalCommunicator comm = communicator(r);
            Thread thread = new Thread(() -> {
                try {
                    body.run(comm);
                } catch (Throwable e) { // NOPMD: every failure of a rank must reach the caller
                    if (!fail(comm.rank(), e)) {
                        later.add(e);
                    }
                }
            }, "local-rank-" + r);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        boolean interrupted = false;
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                    fail(-1, e);
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Failure failure = firstFailure.get();
        if (failure == null) {
            return;
        }
        Throwable cause = failure.cause();
        RuntimeException thrown;
        if (cause instanceof RuntimeException re) {
            thrown = re;
        } else if (cause instanceof Error err) {
            later.forEach(err::addSuppressed);
            throw err;
        } else {
            thrown = DetrainException.runFailure("rank " + failure.rank() + " failed: " + cause, cause);
        }
        later.forEach(thrown::addSuppressed);
        throw thrown;
    }

    /** Rank {@code rank}'s communicator (for callers that manage the rank threads themselves). */
    public LocalCommunicator communicator(int rank) {
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank " + rank + " is not in a world of " + size);
        }
        return new LocalCommunicator(this, rank);
    }

    int size() {
        return size;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    Mailbox mailbox(int rank) {
        return mailboxes[rank];
    }

    /**
     * Records a rank's failure; the first one is the world's failure, and every rank still waiting
     * gives up. Returns whether this was the first.
     */
    boolean fail(int rank, Throwable cause) {
        boolean first = firstFailure.compareAndSet(null, new Failure(rank, cause));
        for (Mailbox m : mailboxes) {
            m.wakeAll();
        }
        return first;
    }

    /** The failure that ended the world, as an exception for a rank that was waiting on it; null if none. */
    DetrainException abortedBecause(int waitingRank) {
        Failure f = firstFailure.get();
        if (f == null) {
            return null;
        }
        String who = f.rank() < 0 ? "the world was interrupted" : "rank " + f.rank() + " failed";
        // no cause: the first failure is rethrown by run(), with this one attached to it as suppressed
        return DetrainException.runFailure("rank " + waitingRank + " stopped waiting: " + who + " (" + f.cause() + ")",
                null);
    }
}
