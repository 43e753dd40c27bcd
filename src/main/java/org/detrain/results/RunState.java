package org.detrain.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.util.DetrainException;

/**
 * How a run directory ended, as far as its files tell — the one classification that {@code sweep
 * collect}, {@code sweep select}, re-running a sweep's failed tasks and {@code report} share.
 *
 * @param outcome what happened
 * @param detail  the first line of a rank's failure message, or why the metrics file is unreadable; "" otherwise
 */
public record RunState(Outcome outcome, String detail) {
    /** The outcomes, from the best to the worst. */
    public enum Outcome {
        /** metrics.h5 says {@code complete}. */
        COMPLETE,
        /** The training loss stopped being finite: a result (the step size is too large), not a fault. */
        DIVERGED,
        /** Stopped on request after a complete checkpoint; {@code train --resume} continues it. */
        STOPPED,
        /** metrics.h5 says {@code running}: still going, or killed without a word. */
        RUNNING,
        /** A rank wrote {@code status/rank-N.failed}. */
        FAILED,
        /** The directory exists but holds no metrics.h5 (the run ended before its first record). */
        NO_METRICS,
        /** There is no run directory. */
        MISSING,
        /** metrics.h5 exists but cannot be read as one. */
        UNREADABLE;

        /** The name as tables print it: lower case, '-' between words. */
        public String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * What a rank's failure message says when the training loss stopped being finite (runner.TrainingLoop):
     * runs written before metrics.h5 could say "diverged" are recognised by it.
     */
    private static final Pattern DIVERGED_MESSAGE = Pattern.compile("the training loss is (NaN|-?Infinity|-?inf)\\b");

    /** Whether the run reached a result that re-running would only repeat: complete, or diverged. */
    public boolean finished() {
        return outcome == Outcome.COMPLETE || outcome == Outcome.DIVERGED;
    }

    /** Looks at {@code runDir}'s metrics.h5 and status files; never throws for what it finds there. */
    public static RunState of(Path runDir) {
        RunLayout layout = new RunLayout(runDir);
        if (!Files.isDirectory(runDir)) {
            return new RunState(Outcome.MISSING, "");
        }
        String status = null;
        if (Files.isRegularFile(layout.metrics())) {
            try {
                H5Group root = Hdf5Files.read(layout.metrics());
                status = root.hasAttribute(MetricsSchema.STATUS.key())
                        ? String.valueOf(root.getAttribute(MetricsSchema.STATUS.key())) : "";
            } catch (DetrainException | IllegalArgumentException | ClassCastException e) {
                return new RunState(Outcome.UNREADABLE, firstLine(e.getMessage()));
            }
        }
        return of(layout, status);
    }

    /**
     * The same for a run whose metrics.h5 has been read already: {@code status} is its {@code status}
     * attribute ("" when it has none), or null when there is no metrics.h5.
     */
    public static RunState of(Path runDir, String status) {
        return of(new RunLayout(runDir), status);
    }

    private static RunState of(RunLayout layout, String status) {
        if (MetricsSchema.Status.COMPLETE.text().equals(status)) {
            return new RunState(Outcome.COMPLETE, "");
        }
        if (MetricsSchema.Status.DIVERGED.text().equals(status)) {
            return new RunState(Outcome.DIVERGED, failure(layout));
        }
        String failure = failure(layout);
        if (!failure.isEmpty()) {
            return new RunState(DIVERGED_MESSAGE.matcher(failure).find() ? Outcome.DIVERGED : Outcome.FAILED, failure);
        }
        if (status == null) {
            return new RunState(Outcome.NO_METRICS, "");
        }
        return new RunState(MetricsSchema.Status.STOPPED.text().equals(status) ? Outcome.STOPPED : Outcome.RUNNING, "");
    }

    /** The first line of the lowest rank's failure message, "" when no rank failed. */
    private static String failure(RunLayout layout) {
        if (!Files.isDirectory(layout.statusDir())) {
            return "";
        }
        try (Stream<Path> files = Files.list(layout.statusDir())) {
            Path first = files.filter(p -> p.getFileName().toString().endsWith(".failed")).sorted().findFirst().orElse(null);
            if (first == null) {
                return "";
            }
            String text = Files.readString(first, StandardCharsets.UTF_8);
            return text.isBlank() ? "failed" : firstLine(text);
        } catch (IOException | RuntimeException e) {
            return "failed (its status file cannot be read: " + e.getMessage() + ")";
        }
    }

    private static String firstLine(String text) {
        if (text == null) {
            return "";
        }
        String s = text.strip();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl).strip();
    }
}
