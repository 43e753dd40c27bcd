package org.detrain.runner;

import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.detrain.io.AtomicFiles;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.util.DetrainException;

/**
 * Rank 0's writer of {@code metrics.jsonl} and {@code metrics.h5}, on a thread of its own so that
 * the training loop only hands over what it measured.
 *
 * <ul>
 * <li>Each record and evaluation becomes one line of {@code metrics.jsonl}, appended and flushed to
 *     the operating system as soon as the thread gets to it: a run that dies (killed, a lost peer)
 *     keeps every line written before. A reader can meet a last line cut short: it ends without a
 *     newline.</li>
 * <li>{@code metrics.h5} is rewritten whole (jHDF 0.13 cannot append or extend a dataset) from a
 *     snapshot of the series, atomically ({@link Hdf5Files#writeAtomically}: a reader sees the old
 *     file or the new one), at most every {@value #MIN_REFRESH_SECONDS} s and never more than
 *     1/{@value #REFRESH_COST_RATIO} of the time (a rewrite grows with the run, so the spacing grows
 *     with its cost); and once, waited for, when the run ends.</li>
 * </ul>
 * A failure on the writer thread (a full disk) is rethrown to the loop at its next call, as a run
 * failure naming the file.
 */
final class MetricsWriter implements AutoCloseable {
    /** Shortest time between two rewrites of metrics.h5 while the run goes. */
    static final double MIN_REFRESH_SECONDS = 2.0;
    /** A rewrite waits at least this many times its own duration after the previous one. */
    static final double REFRESH_COST_RATIO = 20;

    private final Path h5;
    private final Path lines;
    private final ExecutorService thread;
    private FileChannel channel;
    private Writer out; // the writer thread's only, until finish
    private Future<?> pendingRewrite;
    private long lastRewriteEnd;
    private volatile long lastRewriteNanos;
    private volatile RuntimeException failure;

    /**
     * Starts the writer thread; {@code metrics.jsonl} is replaced by {@code firstLines}
     * (atomically: the header, and when resuming the lines of the series the checkpoint restored).
     */
    MetricsWriter(Path h5, Path lines, List<String> firstLines) {
        this.h5 = h5;
        this.lines = lines;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "detrain-metrics-writer");
            t.setDaemon(true); // never keeps a failed rank's JVM alive
            return t;
        });
        StringBuilder text = new StringBuilder();
        for (String line : firstLines) {
            text.append(line).append('\n');
        }
        AtomicFiles.writeText(lines, text.toString());
        try {
            channel = FileChannel.open(lines, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            out = Channels.newWriter(channel, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot append to " + lines + ": " + e.getMessage()
                    + "; free space or fix the permissions of the results directory", e);
        }
        lastRewriteEnd = System.nanoTime();
    }

    /** Queues one line; {@code line} is called on the writer thread (formatting stays off the loop). */
    void append(Supplier<String> line) {
        check();
        thread.execute(() -> {
            if (failure != null) {
                return;
            }
            try {
                out.write(line.get());
                out.write('\n');
                out.flush();
            } catch (IOException | RuntimeException e) {
                failure = DetrainException.runFailure("cannot append to " + lines + ": " + e
                        + "; free space or fix the permissions of the results directory", e);
            }
        });
    }

    /** Whether a rewrite of metrics.h5 is due now: none in progress, and spaced as the class comment says. */
    boolean rewriteDue() {
        check();
        if (pendingRewrite != null && !pendingRewrite.isDone()) {
            return false;
        }
        double since = (System.nanoTime() - lastRewriteEnd) / 1e9;
        return since >= Math.max(MIN_REFRESH_SECONDS, REFRESH_COST_RATIO * lastRewriteNanos / 1e9);
    }

    /** Queues a rewrite of metrics.h5 from {@code tree} (built on the writer thread from an immutable snapshot). */
    void rewrite(Supplier<H5Group> tree) {
        check();
        lastRewriteEnd = System.nanoTime(); // spacing counts from the request; the duration from the write
        pendingRewrite = thread.submit(() -> {
            if (failure != null) {
                return;
            }
            long t0 = System.nanoTime();
            try {
                Hdf5Files.writeAtomically(h5, tree.get());
            } catch (RuntimeException e) {
                failure = e instanceof DetrainException ? e : DetrainException.runFailure("cannot write " + h5 + ": " + e, e);
            }
            lastRewriteNanos = System.nanoTime() - t0;
        });
    }

    /**
     * Waits for everything queued, appends {@code lastLine}, forces metrics.jsonl to disk and writes
     * metrics.h5 from {@code tree} on the calling thread; the writer thread ends. Throws a run
     * failure if anything could not be written.
     */
    void finish(String lastLine, H5Group tree) {
        append(() -> lastLine);
        drain();
        try {
            out.flush();
            channel.force(true);
            out.close();
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot write " + lines + ": " + e.getMessage(), e);
        }
        Hdf5Files.writeAtomically(h5, tree);
    }

    /** Ends the writer thread without writing more (after a failure elsewhere). */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            out.close();
        } catch (IOException e) {
            // the run is failing already; the lines written so far stay
        }
    }

    private void drain() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(10, TimeUnit.MINUTES)) {
                throw DetrainException.runFailure("the metrics writer did not finish within 10 minutes (" + h5
                        + "): is the file system stuck?", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DetrainException.runFailure("interrupted while writing " + h5, e);
        }
        check();
    }

    private void check() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }
}
