package org.detrain.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.io.AtomicFiles;
import org.detrain.results.RunFinder;
import org.detrain.sweep.SweepSelect;
import org.detrain.sweep.SweepSpec;
import org.detrain.util.DetrainException;
import org.detrain.util.Formats;

/** {@code detrain sweep select}: the best setting per group of a tuning sweep, as a sweep file of the final runs. */
final class SweepSelectCommand {
    private SweepSelectCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("by").hasArg().argName("KEYS")
                .desc("keys that make groups, comma-separated (e.g. algorithm,partition.shuffled); one choice per group").build());
        o.addOption(Option.builder().longOpt("vary").hasArg().argName("KEYS")
                .desc("keys whose best values are chosen, comma-separated (e.g. lr or detag.eta,detag.R,lr)").build());
        o.addOption(Option.builder().longOpt("metric").hasArg().argName("SERIES")
                .desc("the /metrics series whose final value decides, lower is better (default "
                        + SweepSelect.OBJECTIVE + ", the training objective f(x̄), where every run records it, else "
                        + SweepSelect.TRAIN_LOSS + ")").build());
        o.addOption(Option.builder().longOpt("seeds").hasArg().argName("LIST")
                .desc("seeds of the final runs, comma-separated (default 1,2,3)").build());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("FILE.sweep").desc("the sweep file to write").build());
        o.addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                .desc("base config of the final sweep (default: the config of the sweep the runs come from)").build());
        o.addOption(Option.builder().longOpt("results").hasArg().argName("DIR")
                .desc("where ids are looked up (default $DETRAIN_RESULTS, else results)").build());
        o.addOption(Option.builder().longOpt("force").desc("replace --out if it exists").build());
        o.addOption(CliArgs.helpOption());
        CommandLine cl = CliArgs.parseWithArguments(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain sweep select RUNS... --by KEYS --vary KEYS [--metric SERIES] [--seeds 1,2,3]"
                    + " --out FILE.sweep", o, "RUNS: sweep directories, run directories, globs or ids, as for report."
                    + " Within each --by group, the --vary setting whose runs end lowest (mean over seeds) wins; a"
                    + " setting with a diverged run loses. Prints the choices and writes the final runs' sweep file."
                    + " Exit codes: 0 done, 2 bad input (nothing written).");
            return 0;
        }
        if (!cl.hasOption("out")) {
            throw DetrainException.badInput("sweep select needs --out FILE.sweep: where the final runs' sweep goes");
        }
        Path outFile = Path.of(cl.getOptionValue("out"));
        if (!outFile.getFileName().toString().endsWith(".sweep")) {
            throw DetrainException.badInput("--out " + outFile + ": name the file <something>.sweep");
        }
        if (Files.exists(outFile) && !cl.hasOption("force")) {
            throw DetrainException.badInput(outFile + " exists; pass --force to replace it or choose another --out");
        }
        List<String> seeds = list(cl.getOptionValue("seeds", "1,2,3"));
        for (String s : seeds) {
            CliArgs.parseInt(s, "--seeds");
        }
        Path results = cl.hasOption("results") ? Path.of(cl.getOptionValue("results")) : RunFinder.defaultResults();
        List<Path> runs = RunFinder.runDirectories(cl.getArgList(), results);
        SweepSelect.Selection s = SweepSelect.select(runs, list(cl.getOptionValue("by", "")),
                list(cl.getOptionValue("vary", "")), cl.getOptionValue("metric"), CliArgs.optionalPath(cl, "config"));

        print(s, out);
        String name = outFile.getFileName().toString().replaceFirst("\\.sweep$", "");
        String provenance = "written by: detrain sweep select " + String.join(" ", args) + "\n"
                + "the best " + String.join(", ", s.vary()) + " per " + (s.by().isEmpty() ? "run set"
                : String.join(", ", s.by())) + " by the final " + s.metric() + " (mean over seeds, lowest wins;"
                + " diverged runs lose), from " + s.runs() + " runs";
        String text = SweepSelect.sweepText(s, seeds, outFile, name.matches("[A-Za-z0-9][A-Za-z0-9._-]*") ? name
                : "final", provenance);
        AtomicFiles.writeText(outFile.toAbsolutePath(), text, AtomicFiles.BAD_INPUT);
        try {
            SweepSpec.read(outFile); // what was written must read back as a sweep whose every task is valid
        } catch (DetrainException e) {
            AtomicFiles.deleteTreeQuietly(outFile.toAbsolutePath());
            throw e;
        }
        out.println("written: " + outFile + " (" + s.choices().size() + " setting(s) x " + seeds.size()
                + " seed(s); run it with scripts/run-sweep-local.sh " + outFile + " or sbatch slurm/sweep.sbatch " + outFile
                + ")");
        return 0;
    }

    /** The table of choices: one line per group. */
    private static void print(SweepSelect.Selection s, PrintStream out) {
        out.printf("sweep select: %d run(s), %d group(s)%s; choosing %s by the final %s (mean over seeds; lower wins;"
                        + " diverged runs lose)%n", s.runs(), s.choices().size(),
                s.by().isEmpty() ? "" : " by " + String.join(", ", s.by()), String.join(", ", s.vary()), s.metric());
        List<String> header = new ArrayList<>(s.by());
        header.addAll(s.vary());
        header.addAll(List.of(s.metric(), "seeds", "runner-up", "settings", "diverged"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(header);
        for (SweepSelect.Choice c : s.choices()) {
            List<String> row = new ArrayList<>();
            s.by().forEach(k -> row.add(c.group().get(k)));
            s.vary().forEach(k -> row.add(c.best().setting().get(k)));
            row.add(value(c.best().value()));
            row.add(String.valueOf(c.best().seeds().size()));
            row.add(c.runnerUp() == null ? "—" : c.runnerUp().setting().values().stream().collect(Collectors.joining(" "))
                    + ": " + value(c.runnerUp().value()));
            row.add(String.valueOf(c.candidates().size()));
            List<String> diverged = c.candidates().stream().filter(x -> x.diverged() > 0)
                    .map(x -> String.join(" ", x.setting().values())).toList();
            row.add(diverged.isEmpty() ? "—" : String.join("; ", diverged));
            rows.add(row);
        }
        int[] widths = new int[header.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder b = new StringBuilder(" ");
            for (int i = 0; i < row.size(); i++) {
                b.append(' ').append(String.format("%-" + widths[i] + "s", row.get(i))).append(' ');
            }
            out.println(b.toString().stripTrailing());
        }
        for (SweepSelect.Choice c : s.choices()) {
            for (SweepSelect.Candidate x : c.candidates()) {
                if (!x.excluded().isEmpty()) {
                    out.println("note: " + c.group().values() + " " + x.setting() + ": left out of the mean, not finished: "
                            + String.join(", ", x.excluded()));
                }
            }
        }
        s.notes().forEach(n -> out.println("note: " + n));
    }

    private static String value(double v) {
        return Double.isInfinite(v) ? "diverged" : Formats.sig(v, 4);
    }

    private static List<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
    }
}
