package org.detrain.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.detrain.io.AtomicFiles;
import org.detrain.results.RunFinder;
import org.detrain.results.RunState;
import org.detrain.util.DetrainException;
import org.detrain.util.Formats;

/**
 * {@code detrain report}: turns runs' {@code metrics.h5} files into figures (PNG, PDF, SVG), a Markdown
 * report and a CSV table. Reads only the HDF5 files, so it works on results copied off a cluster.
 *
 * <p>Everything is read, checked and rendered in memory first; only then are the files written, to
 * a hidden staging directory beside the output that is moved into place. Bad input (a missing path,
 * a damaged file, an unknown key) writes nothing.
 */
public final class Report {
    /** The Markdown report's file name. */
    public static final String MARKDOWN = "report.md";
    /** The CSV table's file name. */
    public static final String CSV = "summary.csv";
    /** Name of the output directory inside a run or sweep directory. */
    public static final String DEFAULT_DIR = "report";

    /**
     * @param inputs     run directories, sweep directories, metrics.h5 files, globs or Slurm job ids
     * @param out        output directory, or null for {@code <input>/report} (one input only)
     * @param targetLoss loss for the "iterations to target" column, or null for the highest final loss
     * @param panelBy    keys that make panels, or null for the varying sweep keys
     * @param lineBy     keys that make lines, or null for the algorithm
     * @param formats    the figures' file formats (PNG is what report.md shows)
     * @param results    where ids (a Slurm job id) are looked up, or null for $DETRAIN_RESULTS, else results
     */
    public record Options(List<String> inputs, Path out, Double targetLoss, List<String> panelBy, List<String> lineBy,
                          List<FigureFiles> formats, Path results) {
        public Options {
            inputs = List.copyOf(inputs);
            formats = List.copyOf(formats);
        }

        /** With the default formats (PNG and PDF), ids looked up in the default results directory. */
        public Options(List<String> inputs, Path out, Double targetLoss, List<String> panelBy, List<String> lineBy) {
            this(inputs, out, targetLoss, panelBy, lineBy, DEFAULT_FORMATS, null);
        }
    }

    /** The formats a comma-separated list names: png, pdf, svg. */
    public static List<FigureFiles> formats(String list) {
        return FigureFiles.parse(list);
    }

    /** The figures' formats unless --formats says otherwise: PNG for report.md and screens, PDF for papers. */
    public static final List<FigureFiles> DEFAULT_FORMATS = List.of(FigureFiles.PNG, FigureFiles.PDF);

    /** What was written. */
    public record Outcome(Path dir, List<Path> files, RunGroups sweep, List<SummaryTable.Row> rows, double targetLoss) {
    }

    private Report() {
    }

    public static Outcome run(Options options, PrintStream out) {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true"); // plots are drawn off screen; no display needed
        }
        Path results = options.results() != null ? options.results() : RunFinder.defaultResults();
        Path dir = outputDir(options, results);
        List<Path> files = RunFinder.find(options.inputs(), results);
        // runs that left no metrics.h5 (failed during set-up, or diverged before item 2's files): listed, not plotted
        List<Path> withMetrics = files.stream().map(Path::getParent).toList();
        Map<Path, RunState> without = new LinkedHashMap<>();
        for (Path d : RunFinder.runDirectories(options.inputs(), results)) {
            if (!withMetrics.contains(d)) {
                without.put(d, RunState.of(d));
            }
        }
        List<RunResult> runs = new ArrayList<>();
        for (Path f : files) {
            runs.add(RunResult.read(f));
        }
        RunGroups sweep = RunGroups.of(runs, options.panelBy(), options.lineBy());
        double target;
        if (options.targetLoss() != null) {
            if (!(options.targetLoss() > 0) || Double.isInfinite(options.targetLoss())) {
                throw DetrainException.badInput("--target-loss must be a positive number, got " + options.targetLoss());
            }
            target = options.targetLoss();
        } else {
            target = SummaryTable.defaultTarget(sweep);
        }
        List<SummaryTable.Row> rows = SummaryTable.rows(sweep, target);

        Map<String, byte[]> contents = new LinkedHashMap<>();
        List<Figure> drawn = new ArrayList<>();
        List<Figure> skipped = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        Map<Integer, LineStyles.Style> styles = LineStyles.of(sweep);
        for (Figure f : Figure.standard()) {
            if (f.hasData(sweep)) {
                FigureCanvas canvas = new FigureCanvas(f, sweep, styles);
                for (FigureFiles format : FigureFiles.values()) {
                    if (options.formats().contains(format)) {
                        contents.put(f.name() + "." + format.extension(), format.encode(canvas));
                    } else {
                        stale.add(f.name() + "." + format.extension());
                    }
                }
                drawn.add(f);
            } else {
                skipped.add(f);
                for (FigureFiles format : FigureFiles.values()) {
                    stale.add(f.name() + "." + format.extension());
                }
            }
        }
        contents.put(CSV, SummaryTable.csv(sweep, rows, target).getBytes(StandardCharsets.UTF_8));
        contents.put(MARKDOWN, markdown(dir, options, sweep, rows, target, options.targetLoss() != null, drawn, skipped,
                        options.formats(), without)
                .getBytes(StandardCharsets.UTF_8));
        List<Path> written = write(dir, contents, stale);
        out.println("report: " + runs.size() + " run(s) in " + sweep.panels().size() + " panel(s), "
                + sweep.lines().size() + " line(s)" + (sweep.panelKeys().isEmpty() ? "" : "; panels by "
                + String.join(", ", sweep.panelKeys())) + (sweep.lineKeys().isEmpty() ? "" : "; lines by "
                + String.join(", ", sweep.lineKeys())));
        for (String note : sweep.notes()) {
            out.println("note: " + note.replace("`", ""));
        }
        without.forEach((d, state) -> out.println("note: " + d + " has no metrics.h5 (" + state.outcome().text()
                + (state.detail().isEmpty() ? "" : ": " + state.detail()) + "): listed in report.md, not plotted"));
        out.print(SummaryTable.markdown(sweep, rows, target));
        out.println("written: " + dir.resolve(MARKDOWN) + " (" + drawn.size() + " figures as " + String.join(", ",
                options.formats().stream().map(FigureFiles::extension).toList()) + "; " + CSV + ")");
        return new Outcome(dir, written, sweep, rows, target);
    }

    /** The output directory: --out, else {@code report/} inside the single input (beside a metrics.h5 file). */
    static Path outputDir(Options options, Path results) {
        Path dir;
        if (options.out() != null) {
            dir = options.out();
        } else if (options.inputs().isEmpty()) {
            throw DetrainException.badInput("no results given: pass a run directory (results/<run-id>) or a sweep directory");
        } else {
            List<Path> named = new ArrayList<>();
            for (String input : options.inputs()) {
                named.addAll(RunFinder.expand(input, results));
            }
            if (named.size() != 1) {
                throw DetrainException.badInput(options.inputs() + " name " + named.size() + " runs or directories but"
                        + " no --out is given: pass --out DIR to say where the report goes (with one run or sweep"
                        + " directory it goes to its report/)");
            }
            Path in = named.get(0);
            dir = (Files.isRegularFile(in) ? in.toAbsolutePath().getParent() : in).resolve(DEFAULT_DIR);
        }
        dir = dir.toAbsolutePath().normalize();
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw DetrainException.badInput("the report directory " + dir + " exists and is not a directory:"
                    + " remove it or pass another --out");
        }
        return dir;
    }

    /**
     * Writes the files to a hidden staging directory beside {@code dir}, then moves them in (the whole
     * directory at once when it is new). Files this report owns but did not draw this time are removed,
     * so a report never mixes plots of two different sets of runs.
     */
    private static List<Path> write(Path dir, Map<String, byte[]> contents, List<String> stale) {
        Path parent = dir.getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            // Hidden, beside the target (same file system, so the moves are renames); created with the umask's
            // permissions, unlike Files.createTempDirectory's owner-only ones.
            staging = parent.resolve("." + dir.getFileName() + "-" + ProcessHandle.current().pid() + "-"
                    + Long.toHexString(System.nanoTime()) + ".tmp");
            Files.createDirectory(staging);
            for (Map.Entry<String, byte[]> e : contents.entrySet()) {
                Files.write(staging.resolve(e.getKey()), e.getValue());
            }
            if (!Files.exists(dir)) {
                move(staging, dir);
                staging = null;
            } else {
                for (String name : contents.keySet()) {
                    move(staging.resolve(name), dir.resolve(name));
                }
                for (String name : stale) {
                    Files.deleteIfExists(dir.resolve(name));
                }
            }
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot write the report to " + dir + " (" + e + "): check free space"
                    + " and permissions, or pass another --out", e);
        } finally {
            AtomicFiles.deleteTreeQuietly(staging); // a leftover hidden staging directory is harmless
        }
        return contents.keySet().stream().map(dir::resolve).toList();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static String markdown(Path dir, Options options, RunGroups sweep, List<SummaryTable.Row> rows, double target,
                                   boolean targetGiven, List<Figure> drawn, List<Figure> skipped,
                                   List<FigureFiles> formats, Map<Path, RunState> without) {
        StringBuilder b = new StringBuilder("# detrain report\n\n");
        b.append(sweep.runCount()).append(sweep.runCount() == 1 ? " run" : " runs").append(" from ");
        b.append(String.join(", ", options.inputs().stream().map(p -> "`" + p + "`").toList())).append(". ");
        if (!sweep.panelKeys().isEmpty()) {
            b.append("One panel per ").append(keys(sweep.panelKeys())).append("; ");
        }
        b.append(sweep.lineKeys().isEmpty() ? "one line per panel (the runs share every other key)"
                : "one line per " + keys(sweep.lineKeys())).append(". ");
        if (sweep.lines().stream().anyMatch(l -> l.runs().size() > 1)) {
            b.append("Runs that differ only in `seed` are averaged: the table gives mean ± sample standard deviation"
                    + " over seeds, the plots the mean (a line) and the min–max over seeds (a shaded band).");
        }
        b.append("\n\n## Summary\n\n");
        b.append("Training loss is the mean over ranks of each rank's mini-batch loss since the previous record; "
                + "test accuracy is that of the averaged model x̄; time is the training time (training_time: the loop's wall time without set-up, evaluations, records, metrics I/O and checkpoints; the summary and the rank logs print the same figure); "
                + "bytes sent are all ranks' neighbour-exchange payloads. ");
        if (!Double.isNaN(target)) {
            b.append("Iterations to loss ≤ ").append(Formats.sig(target, 4)).append(": the first logged iteration at which"
                    + " the training loss is at most that");
            b.append(targetGiven ? " (`--target-loss`)." : ", the highest final loss of any run (so every run gets"
                    + " there; set another with `--target-loss`).");
        }
        b.append("\n\n").append(SummaryTable.markdown(sweep, rows, target)).append('\n');
        for (String note : sweep.notes()) {
            b.append("- Note: ").append(note).append('\n');
        }
        if (!sweep.notes().isEmpty()) {
            b.append('\n');
        }
        b.append("Full-precision values: [`").append(CSV).append("`](").append(CSV).append(").\n\n## Figures\n\n");
        for (Figure f : drawn) {
            b.append("### ").append(f.title()).append("\n\n");
            if (formats.contains(FigureFiles.PNG)) {
                b.append("![").append(f.title()).append("](").append(f.name()).append(".png)\n\n");
            }
            List<String> others = formats.stream().filter(x -> x != FigureFiles.PNG)
                    .map(x -> "[" + x.name() + "](" + f.name() + "." + x.extension() + ")").toList();
            if (!others.isEmpty()) {
                b.append("Also as ").append(String.join(", ", others)).append(".\n\n");
            }
        }
        for (Figure f : skipped) {
            b.append("- *").append(f.title()).append("*: no run recorded this (e.g. test accuracy of a regression"
                    + " model, or no evaluations, or `eval.local=false`).\n");
        }
        if (!skipped.isEmpty()) {
            b.append('\n');
        }
        b.append("## Runs\n\n| run | status | ");
        List<String> keys = new ArrayList<>(sweep.panelKeys());
        sweep.lineKeys().stream().filter(k -> !keys.contains(k)).forEach(keys::add);
        for (String k : keys) {
            b.append(SummaryTable.keyHeader(k)).append(" | ");
        }
        b.append("seed | file |\n|").append("---|".repeat(keys.size() + 4)).append('\n');
        for (RunGroups.Line line : sweep.lines()) {
            for (RunResult r : line.runs()) {
                b.append("| ").append(r.runId()).append(" | ").append(r.status()).append(" | ");
                for (String k : keys) {
                    b.append(RunGroups.display(k, r.value(k))).append(" | ");
                }
                b.append(r.value(RunGroups.SEED_KEY)).append(" | `").append(relative(dir, r.file())).append("` |\n");
            }
        }
        if (!without.isEmpty()) {
            b.append("\n### Runs without results\n\nThese run directories hold no metrics.h5, so nothing of them is"
                    + " plotted or in the table:\n\n| run | status | why |\n|---|---|---|\n");
            without.forEach((d, state) -> b.append("| `").append(relative(dir, d)).append("` | ")
                    .append(state.outcome().text()).append(" | ").append(state.detail().replace("|", "\\|")).append(" |\n"));
        }
        return b.toString();
    }

    private static String keys(List<String> keys) {
        return String.join(" × ", keys.stream().map(k -> "`" + k + "`").toList());
    }

    private static String relative(Path dir, Path file) {
        try {
            return dir.relativize(file.toAbsolutePath().normalize()).toString();
        } catch (IllegalArgumentException e) {
            return file.toString();
        }
    }
}
