package org.detrain.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrain.results.RunLayout;
import org.detrain.util.DetrainException;

/**
 * The status files the ranks of a job write ({@code status/rank-N.done}, {@code .failed},
 * {@code .stopped}; {@code log/rank-N.log} once started), read by the launcher while the job runs and
 * turned into how it ended when it is over.
 */
final class RankStatuses {
    /** How a job that did not fail ended. */
    enum Ending { DONE, STOPPED }

    private final RunLayout layout;
    private final int ranks;

    RankStatuses(RunLayout layout, int ranks) {
        this.layout = layout;
        this.ranks = ranks;
    }

    /** Ranks that have neither opened their log nor reported anything. */
    List<Integer> notStarted() {
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            if (!Files.exists(layout.rankLog(r)) && !hasStatus(r)) {
                missing.add(r);
            }
        }
        return missing;
    }

    /** Whether rank {@code r} reported done, failed or stopped. */
    boolean hasStatus(int r) {
        return Files.exists(layout.done(r)) || Files.exists(layout.failed(r)) || Files.exists(layout.stopped(r));
    }

    /** Every rank reported done or stopped. */
    boolean allFinished() {
        for (int r = 0; r < ranks; r++) {
            if (!Files.exists(layout.done(r)) && !Files.exists(layout.stopped(r))) {
                return false;
            }
        }
        return true;
    }

    boolean anyFailed() {
        for (int r = 0; r < ranks; r++) {
            if (Files.exists(layout.failed(r))) {
                return true;
            }
        }
        return false;
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
        List<String> failures = new ArrayList<>();
        List<Integer> silent = new ArrayList<>();
        int stopped = 0;
        for (int r = 0; r < ranks; r++) {
            if (Files.exists(layout.stopped(r))) {
                stopped++;
            } else if (Files.exists(layout.failed(r))) {
                try {
                    failures.add(failureMessage(Files.readAllLines(layout.failed(r), StandardCharsets.UTF_8)));
                } catch (IOException | IndexOutOfBoundsException e) {
                    failures.add("rank " + r + " failed (unreadable status: " + e + ")");
                }
            } else if (!Files.exists(layout.done(r))) {
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
            String vanished = silent.isEmpty() || !ranksAreProcesses ? "" : "\nrank(s) " + silent + " stopped without reporting anything"
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
            throw DetrainException.runFailure(printed + "rank(s) " + silent + " stopped without reporting (killed, or"
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
