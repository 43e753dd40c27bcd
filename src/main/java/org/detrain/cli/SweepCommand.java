package org.detrain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.results.RunFinder;
import org.detrain.results.RunState;
import org.detrain.sweep.SweepCollect;
import org.detrain.sweep.SweepDir;
import org.detrain.sweep.SweepSpec;
import org.detrain.util.DetrainException;
import org.detrain.util.Formats;

/**
 * {@code detrain sweep <verb> ...}: sweep files and sweep directories, for slurm/sweep.sbatch,
 * scripts/run-sweep-local.sh and users.
 * <pre>
 *   detrain sweep show|count|ranks|name FILE   the tasks with their overrides | how many | ranks per run | its name
 *   detrain sweep args FILE INDEX              the train arguments of one task, one per line
 *   detrain sweep init FILE [--dir DIR | --results R [--id ID]]
 *                                              the sweep directory R/&lt;name&gt;-&lt;ID&gt; (ID: now), printed
 *   detrain sweep collect SWEEP                SWEEP/task-NNN -> SWEEP/summary.{csv,h5}
 *   detrain sweep unfinished SWEEP             the indices of the tasks to re-run, comma-separated
 *   detrain sweep select RUNS --by K --vary K  the best setting per group -> a sweep file of the final runs
 * </pre>
 * SWEEP is a sweep directory or its id (a Slurm array job id, a local sweep's date-time).
 */
final class SweepCommand {
    private static final String USAGE = """
            usage: detrain sweep <verb> ...
              show|count|ranks|name FILE     a sweep file's tasks | how many | ranks per run | its name
              args FILE INDEX                the train arguments of task INDEX, one per line
              init FILE [--dir DIR | --results R [--id ID]]
                                             create (or enter) the sweep directory R/<name>-<ID> and print it
              collect SWEEP                  summarise the tasks of SWEEP into SWEEP/summary.csv and summary.h5
              unfinished SWEEP               the tasks of SWEEP to re-run (not complete, not diverged), e.g. 1,4
              select RUNS --by KEYS --vary KEYS [--metric SERIES] [--seeds 1,2,3] --out FILE.sweep
                                             pick the best --vary setting in each --by group (see --help)
            SWEEP: a sweep directory (results/<name>-<id>/) or its id (a Slurm array job id, a local
            sweep's date-time), looked up in --results (default $DETRAIN_RESULTS, else results).
            Sweep files: jobs/sweeps/README.md. Run one: scripts/run-sweep-local.sh FILE (this machine) or
            sbatch slurm/sweep.sbatch FILE (Slurm); re-run its unfinished tasks: the same with SWEEP.""";

    private SweepCommand() {
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(USAGE);
            return args.length == 0 ? DetrainException.BAD_INPUT : 0;
        }
        String verb = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (verb) {
            case "show", "count", "ranks", "name", "args" -> file(verb, rest, out);
            case "init" -> init(rest, out);
            case "collect" -> collect(rest, out);
            case "unfinished" -> unfinished(rest, out);
            case "select" -> SweepSelectCommand.run(rest, out);
            default -> throw DetrainException.badInput("unknown sweep verb '" + verb + "'; see detrain sweep --help");
        };
    }

    private static int file(String verb, String[] args, PrintStream out) {
        need(verb, args, verb.equals("args") ? 2 : 1, verb.equals("args") ? "FILE INDEX" : "FILE");
        SweepSpec sweep = SweepSpec.read(Path.of(args[0]));
        switch (verb) {
            case "count" -> out.println(sweep.size());
            case "ranks" -> out.println(sweep.ranks());
            case "name" -> out.println(sweep.name());
            case "show" -> {
                out.printf("%s: sweep %s, %d run(s) of %d ranks, config %s%n", sweep.file(), sweep.name(), sweep.size(),
                        sweep.ranks(), sweep.config());
                for (int i = 0; i < sweep.size(); i++) {
                    out.printf("  %s  %s%n", SweepDir.taskRunId(i), String.join(" ", sweep.overrides(i)));
                }
            }
            default -> sweep.trainArgs(CliArgs.parseInt(args[1], "task index")).forEach(out::println);
        }
        return 0;
    }

    private static int init(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("dir").hasArg().argName("DIR").desc("this sweep directory").build());
        o.addOption(resultsOption());
        o.addOption(Option.builder().longOpt("id").hasArg().argName("ID")
                .desc("the id in <name>-<id> (default: the date and time)").build());
        CommandLine cl = CliArgs.parseWithArguments(o, args);
        need("init", cl.getArgs(), 1, "FILE");
        SweepSpec spec = SweepSpec.read(Path.of(cl.getArgs()[0]));
        if (cl.hasOption("dir") && (cl.hasOption("id") || cl.hasOption("results"))) {
            throw DetrainException.badInput("sweep init: --dir names the directory itself; give it without --results and"
                    + " --id");
        }
        SweepDir dir = cl.hasOption("dir") ? SweepDir.enter(spec, Path.of(cl.getOptionValue("dir")))
                : SweepDir.create(spec, results(cl), cl.getOptionValue("id"));
        out.println(dir.root());
        return 0;
    }

    private static int collect(String[] args, PrintStream out) {
        CommandLine cl = sweepArgs("collect", args);
        SweepDir sweep = SweepDir.resolve(cl.getArgs()[0], results(cl));
        List<SweepCollect.Row> rows = SweepCollect.rows(sweep);
        SweepCollect.write(sweep, rows);
        List<String> keys = sweep.spec().variedKeys();
        out.printf("sweep %s: %d task(s) in %s%n", sweep.spec().name(), rows.size(), sweep.root());
        out.printf("  %-8s  %-10s  %-12s  %-12s  %s%n", "task", "status", "train loss", "test acc", String.join(" ", keys));
        for (SweepCollect.Row r : rows) {
            out.printf("  %-8s  %-10s  %-12s  %-12s  %s%s%n", r.runId(), r.status(), Formats.sig(r.trainLoss(), 4),
                    Formats.sig(r.testAccuracy(), 4), keys.stream().map(k -> r.varied().get(k)).collect(
                            Collectors.joining(" ")), r.state().detail().isEmpty() ? "" : "  (" + r.state().detail() + ")");
        }
        Map<RunState.Outcome, Integer> counts = SweepCollect.counts(rows);
        String tally = counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().text())
                .collect(Collectors.joining(", "));
        out.printf("collected %s -> %s, %s%n", tally, sweep.root().resolve(SweepCollect.CSV), SweepCollect.H5);
        List<Integer> again = SweepCollect.unfinished(rows);
        if (!again.isEmpty()) {
            out.printf("%d task(s) did not finish (%s): re-run them into this sweep with scripts/run-sweep-local.sh %s"
                    + " or sbatch slurm/sweep.sbatch %s%n", again.size(), joined(again), sweep.root(), sweep.root());
        }
        if (rows.stream().noneMatch(r -> r.state().finished())) {
            throw DetrainException.runFailure("no task of sweep " + sweep.root() + " finished (" + tally + "); see the"
                    + " table above and the tasks' log/ directories", null);
        }
        return 0;
    }

    private static int unfinished(String[] args, PrintStream out) {
        CommandLine cl = sweepArgs("unfinished", args);
        SweepDir sweep = SweepDir.resolve(cl.getArgs()[0], results(cl));
        out.println(joined(SweepCollect.unfinished(SweepCollect.rows(sweep))));
        return 0;
    }

    private static CommandLine sweepArgs(String verb, String[] args) {
        Options o = new Options();
        o.addOption(resultsOption());
        CommandLine cl = CliArgs.parseWithArguments(o, args);
        need(verb, cl.getArgs(), 1, "SWEEP");
        if (cl.getArgs().length > 1) {
            throw DetrainException.badInput("detrain sweep " + verb + " takes one sweep, got " + List.of(cl.getArgs()));
        }
        return cl;
    }

    private static Option resultsOption() {
        return Option.builder().longOpt("results").hasArg().argName("DIR")
                .desc("where sweep directories are (default $DETRAIN_RESULTS, else results)").build();
    }

    /** {@code --results}, else $DETRAIN_RESULTS, else {@code results}: where sweeps are made and looked up. */
    static Path results(CommandLine cl) {
        return cl.hasOption("results") ? Path.of(cl.getOptionValue("results")) : RunFinder.defaultResults();
    }

    private static String joined(List<Integer> indices) {
        return indices.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    private static void need(String verb, String[] args, int n, String what) {
        if (args.length < n) {
            throw DetrainException.badInput("detrain sweep " + verb + " needs " + what + "; see detrain sweep --help");
        }
    }
}
