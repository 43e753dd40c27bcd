package org.detrain.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;

/**
 * The status files the ranks of a job write ({@code status/rank-N.done}, {@code .failed},
 * {@code .stopped}, {@code .pid}; {@code log/rank-N.log} once started), read by the launcher while the
 * job runs and turned into how it ended when it is over.
 *
 * <p>While the job runs, {@link #refresh} once per tick takes in what an inotify watch on the status
 * and log directories reported since the last tick, and remembers it, so a tick costs nothing per
 * rank (the old way, four file lookups per rank per tick, took 20–90 ms of each 200 ms tick at 1024
 * ranks here). Every {@link #FULL_LISTING_MILLIS}, and whenever the watch overflowed, it lists the
 * directories instead (one listing of 2048 files: about 5 ms): a watch does not see files that ranks
 * on other hosts write to a shared file system. Files are only ever added during a run, so what was
 * seen stays true.
 */
final class RankStatuses implements AutoCloseable {
    /** How a job that did not fail ended. */
    enum Ending { DONE, STOPPED }

    /** How often {@link #refresh} lists the directories even when the watch reported nothing. */
    static final long FULL_LISTING_MILLIS = 5000;

    private static final Pattern RANK_FILE = Pattern.compile("rank-(\\d+)\\.(done|failed|stopped|pid|log)");

    private final RunLayout layout;
    private final int ranks;
    private final BitSet started = new BitSet();
    private final BitSet done = new BitSet();
    private final BitSet failed = new BitSet();
    private final BitSet stopped = new BitSet();
    /** Watches status/ and log/; null before the first refresh and where no watch can be set. */
    private WatchService watch;
    private boolean watchTried;
    private long listedAt;
    private boolean listed;

    RankStatuses(RunLayout layout, int ranks) {
        this.layout = layout;
        this.ranks = ranks;
    }

    /**
     * Takes in what the ranks have written since the last call: the watch's events, or a listing of
     * status/ (and of log/ until all started) when one is due.
     */
    void refresh() {
        startWatching();
        boolean listNow = watch == null || !listed || System.currentTimeMillis() - listedAt >= FULL_LISTING_MILLIS;
        if (watch != null) {
            WatchKey key;
            while ((key = watch.poll()) != null) {
                for (WatchEvent<?> event : key.pollEvents()) {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        listNow = true;
                    } else if (event.context() instanceof Path file) {
                        note(file.getFileName().toString());
                    }
                }
                key.reset();
            }
        }
        if (listNow) {
            refreshFully();
        }
    }

    /** Lists status/ (and log/ until all started) now: for verdicts that must not wait for a watch event. */
    void refreshFully() {
        listedAt = System.currentTimeMillis();
        listed = true;
        list(layout.statusDir());
        if (started.cardinality() < ranks) {
            list(layout.logDir());
        }
    }

    /** The watch is registered before the first listing, so nothing written in between is missed. */
    private void startWatching() {
        if (watchTried) {
            return;
        }
        watchTried = true;
        try {
            watch = layout.root().getFileSystem().newWatchService();
            for (Path dir : List.of(layout.statusDir(), layout.logDir())) {
                dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            }
        } catch (IOException | UnsupportedOperationException e) {
            close();
            watch = null; // every tick lists instead
        }
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.close();
            } catch (IOException e) {
                // nothing is held that outlives the JVM
            }
        }
    }

    private void list(Path dir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                note(file.getFileName().toString());
            }
        } catch (IOException e) {
            // not created yet, or unreadable for a moment: the next listing reads it again
        }
    }

    /** Takes in one file name of status/ or log/. */
    private void note(String name) {
        Matcher m = RANK_FILE.matcher(name);
        if (!m.matches() || m.group(1).length() > 9) {
            return;
        }
        int r = Integer.parseInt(m.group(1));
        if (r >= ranks) {
            return;
        }
        switch (m.group(2)) {
            case "done" -> done.set(r);
            case "failed" -> failed.set(r);
            case "stopped" -> stopped.set(r);
            default -> {
            }
        }
        started.set(r); // a log, a pid or any status: the rank is running or has run
    }

    /** Ranks that have neither opened their log nor written anything else, as of the last {@link #refresh}. */
    List<Integer> notStarted() {
        List<Integer> missing = new ArrayList<>();
        for (int r = started.nextClearBit(0); r < ranks; r = started.nextClearBit(r + 1)) {
            missing.add(r);
        }
        return missing;
    }

    /** Whether rank {@code r} reported done, failed or stopped, as of the last {@link #refresh}. */
    boolean hasStatus(int r) {
        return done.get(r) || failed.get(r) || stopped.get(r);
    }

    /** Every rank reported done or stopped, as of the last {@link #refresh}. */
    boolean allFinished() {
        BitSet finished = (BitSet) done.clone();
        finished.or(stopped);
        return finished.cardinality() == ranks;
    }

    /** Some rank reported a failure, as of the last {@link #refresh}. */
    boolean anyFailed() {
        return !failed.isEmpty();
    }

    /**
     * How the finished job ended: done, or stopped on request by every rank; anything else is a
     * run failure naming the failed, lost or silent ranks.
     *
     * @param ranksAreProcesses under niodev a rank without any status most likely died first; under
     *                          multicore the first failure stops the shared JVM, so silence means nothing
     * @param lost ranks the launcher saw vanish without a status
     * @param rankErrors what failing ranks printed ("detrain rank N: ..."), which reaches the launcher
     *                   even when they could not write their status file (a full file system)
     */
    Ending conclude(boolean ranksAreProcesses, List<String> lost, List<String> rankErrors) {
        refreshFully();
        List<String> failures = new ArrayList<>();
        List<Integer> silent = new ArrayList<>();
        int stopped = 0;
        for (int r = 0; r < ranks; r++) {
            if (this.stopped.get(r)) {
                stopped++;
            } else if (failed.get(r)) {
                try {
                    failures.add(failureMessage(Files.readAllLines(layout.failed(r), StandardCharsets.UTF_8)));
                } catch (IOException | IndexOutOfBoundsException e) {
                    failures.add("rank " + r + " failed (unreadable status: " + e + ")");
                }
            } else if (!done.get(r)) {
                silent.add(r);
            }
        }
        if (!lost.isEmpty()) {
            List<String> all = new ArrayList<>(lost);
            all.addAll(failures);
            all.addAll(rankErrors); // what a lost rank printed before it went (e.g. it could not write its status)
            throw DetrainException.runFailure(String.join("\n", all) + "\nlogs: " + layout.logDir(), null);
        }
        if (!failures.isEmpty()) {
            failures = new ArrayList<>(new java.util.LinkedHashSet<>(failures)); // ranks that agreed on a failure say it alike
            String vanished = silent.isEmpty() || !ranksAreProcesses ? "" : "\nrank(s) " + ranges(silent) + " stopped without reporting anything"
                    + " (killed, or the JVM crashed): the likely first failure";
            throw DetrainException.runFailure(String.join("\n", failures) + vanished + "\nlogs: " + layout.logDir(), null);
        }
        if (!silent.isEmpty()) {
            // ranks that agreed on a failure print the same text: show it once
            Map<String, String> distinct = new LinkedHashMap<>();
            for (String line : rankErrors) {
                distinct.putIfAbsent(line.replaceFirst("^detrain rank \\d+: ", "").replaceFirst(" \\(and could not record it: .*$", ""),
                        line);
            }
            String printed = distinct.isEmpty() ? "" : String.join("\n", distinct.values()) + "\n";
            throw DetrainException.runFailure(printed + "rank(s) " + ranges(silent) + " stopped without reporting (killed, or"
                    + " the JVM crashed" + (printed.isEmpty() ? "" : ", or the status file could not be written")
                    + "); see " + layout.logDir() + " (mpj.log holds MPJ's own output)" + mpjComplaints(), null);
        }
        if (stopped == ranks) {
            return Ending.STOPPED;
        }
        if (stopped > 0) {
            throw DetrainException.runFailure(stopped + " of " + ranks + " ranks stopped on request but the others"
                    + " finished; see " + layout.logDir(), null);
        }
        return Ending.DONE;
    }

    /**
     * The message of a failed status file: its lines up to the stack trace that follows it (a
     * message may span lines, e.g. a checkpoint that failed on several ranks, each with its reason).
     */
    static String failureMessage(List<String> lines) {
        List<String> message = new ArrayList<>();
        for (String line : lines) {
            if (!message.isEmpty() && (line.startsWith("\tat ") || line.matches("[\\w.$]+(Exception|Error|Throwable)(: .*)?"))) {
                break;
            }
            message.add(line);
        }
        return String.join("\n", message.subList(0, Math.min(message.size(), 40)));
    }

    /** Ascending ranks as runs, for messages about many ranks: [0-255], [3, 7-9]. */
    static String ranges(List<Integer> ascending) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < ascending.size(); ) {
            int j = i;
            while (j + 1 < ascending.size() && ascending.get(j + 1) == ascending.get(j) + 1) {
                j++;
            }
            out.append(out.length() > 1 ? ", " : "").append(ascending.get(i));
            if (j > i) {
                out.append(j == i + 1 ? ", " : "-").append(ascending.get(j));
            }
            i = j + 1;
        }
        return out.append("]").toString();
    }

    /** What the job printed about hosts it could not reach (the usual multi-host mistake). */
    String mpjComplaints() {
        try {
            List<String> lines = Files.readAllLines(layout.mpjLog(), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.contains("UnknownHost") || l.contains("Connection refused")).limit(3).toList();
            return lines.isEmpty() ? "" : "\nthe ranks said: " + String.join("\n  ", lines);
        } catch (IOException e) {
            return "";
        }
    }
}
