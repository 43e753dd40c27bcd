package org.detrain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.detrain.sweep.SweepCollect;
import org.detrain.sweep.SweepSpec;
import org.detrain.util.DetrainException;

/**
 * {@code detrain sweep <verb> FILE ...}: what slurm/sweep.sbatch asks about a sweep.
 * <pre>
 *   detrain sweep show FILE                 every task with its overrides (checks every task's config)
 *   detrain sweep count FILE                number of tasks
 *   detrain sweep ranks FILE                ranks per run
 *   detrain sweep args FILE INDEX           the train arguments of one task, one per line
 *   detrain sweep collect FILE RESULTS ARRAY_ID [OUT]
 *                                           RESULTS/ARRAY_ID_&lt;i&gt; -> OUT/summary.{csv,h5} (OUT: RESULTS/ARRAY_ID)
 * </pre>
 */
final class SweepCommand {
    private static final String USAGE = "usage: detrain sweep show|count|ranks FILE | args FILE INDEX"
            + " | collect FILE RESULTS ARRAY_ID [OUT]";

    private SweepCommand() {
    }

    static int run(String[] args, PrintStream out) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            out.println(USAGE);
            out.println("Sweep files: jobs/sweeps/README.md. On Slurm: sbatch slurm/sweep.sbatch jobs/sweeps/<name>.sweep");
            return args.length == 0 ? DetrainException.BAD_INPUT : 0;
        }
        if (args.length < 2) {
            throw DetrainException.badInput("detrain sweep " + args[0] + " needs a sweep file; " + USAGE);
        }
        SweepSpec sweep = SweepSpec.read(Path.of(args[1]));
        switch (args[0]) {
            case "count" -> out.println(sweep.size());
            case "ranks" -> out.println(sweep.ranks());
            case "show" -> show(sweep, out);
            case "args" -> {
                need(args, 3);
                int index = CliArgs.parseInt(args[2], "task index");
                sweep.trainArgs(index).forEach(out::println);
            }
            case "collect" -> {
                need(args, 4);
                String arrayId = args[3];
                if (!arrayId.matches("[A-Za-z0-9._-]+")) {
                    throw DetrainException.badInput("array id '" + arrayId + "' must be letters, digits, '.', '_' or '-'");
                }
                Path results = Path.of(args[2]);
                collect(sweep, results, arrayId, args.length > 4 ? Path.of(args[4]) : results.resolve(arrayId), out);
            }
            default -> throw DetrainException.badInput("unknown sweep verb '" + args[0] + "'; " + USAGE);
        }
        return 0;
    }

    private static void show(SweepSpec sweep, PrintStream out) {
        out.printf("%s: %d run(s) of %d ranks, config %s%n", sweep.file(), sweep.size(), sweep.ranks(), sweep.config());
        for (int i = 0; i < sweep.size(); i++) {
            out.printf("  %3d  %s%n", i, String.join(" ", sweep.overrides(i)));
        }
    }

    private static void collect(SweepSpec sweep, Path results, String arrayId, Path dest, PrintStream out) {
        List<SweepCollect.Row> rows = SweepCollect.rows(sweep, results, arrayId + "_");
        SweepCollect.write(sweep, arrayId, rows, dest);
        long complete = rows.stream().filter(r -> r.status().equals("complete")).count();
        for (SweepCollect.Row r : rows) {
            out.printf("  %3d %-12s %-10s %s  test acc %.4f  train loss %.4g%n", r.task(), r.runId(), r.status(),
                    r.varied(), r.testAccuracy(), r.trainLoss());
        }
        out.printf("collected %d of %d run(s) complete -> %s/summary.csv, summary.h5%n", complete, rows.size(), dest);
    }

    private static void need(String[] args, int n) {
        if (args.length < n) {
            throw DetrainException.badInput("detrain sweep " + args[0] + ": missing arguments; " + USAGE);
        }
    }
}
