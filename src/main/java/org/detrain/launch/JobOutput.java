package org.detrain.launch;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.detrain.diag.CommCheck;
import org.detrain.results.RunLayout;
import org.detrain.runner.TrainingRun;

/**
 * Routes what a job's processes print (every rank, and MPJ itself), one line at a time from several
 * threads: rank 0's progress lines to the renderer, messages for the user to the screen, everything
 * else to {@code log/mpj.log}; keeps the first lines failing ranks print ("detrain rank N: ..."),
 * which reach the launcher even when a rank could not write its status file (a full file system).
 */
final class JobOutput implements AutoCloseable {
    private static final int KEPT_RANK_ERRORS = 16;

    private final List<String> rankErrors = new ArrayList<>();
    private final ProgressRenderer progress;
    private final PrintWriter mpjLog;

    private JobOutput(ProgressRenderer progress, PrintWriter mpjLog) {
        this.progress = progress;
        this.mpjLog = mpjLog;
    }

    /** Opens {@code log/mpj.log} (appending) for what is not shown. */
    static JobOutput open(RunLayout layout, ProgressRenderer progress) throws IOException {
        return new JobOutput(progress, new PrintWriter(Files.newBufferedWriter(layout.mpjLog(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND), true));
    }

    /** One line a process of the job printed. */
    synchronized void accept(String line) {
        if (line.startsWith(TrainingRun.PROGRESS) && progress.update(line)) {
            return;
        }
        if (line.startsWith(CommCheck.SAY)) {
            progress.say(line.substring(CommCheck.SAY.length()));
            return;
        }
        if (line.startsWith("detrain rank ") && rankErrors.size() < KEPT_RANK_ERRORS) {
            rankErrors.add(line);
        }
        mpjLog.println(line);
    }

    /** What failing ranks printed, in order of arrival. */
    synchronized List<String> rankErrors() {
        return List.copyOf(rankErrors);
    }

    @Override
    public synchronized void close() {
        mpjLog.close();
    }
}
