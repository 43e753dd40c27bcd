package org.detrain.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.report.Report;

/** {@code detrain report}: plots and a table from runs' metrics.h5. */
final class ReportCommand {
    private ReportCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR")
                .desc("where the plots and tables go (default <input>/report; required with several inputs)").build());
        o.addOption(Option.builder().longOpt("target-loss").hasArg().argName("LOSS")
                .desc("training loss for the 'iterations to target' column (default: the highest final loss of any run)").build());
        o.addOption(Option.builder().longOpt("panel-by").hasArg().argName("KEYS")
                .desc("config keys that make panels, comma-separated (default: partition.shuffled and weights.kappa, where they vary)").build());
        o.addOption(Option.builder().longOpt("line-by").hasArg().argName("KEYS")
                .desc("config keys that make lines, comma-separated (default: algorithm, where it varies)").build());
        o.addOption(Option.builder().longOpt("results").hasArg().argName("DIR")
                .desc("where ids are looked up (default $DETRAIN_RESULTS, else results)").build());
        o.addOption(Option.builder().longOpt("formats").hasArg().argName("LIST")
                .desc("the figures' formats, comma-separated: png, pdf, svg (default png,pdf)").build());
        o.addOption(CliArgs.helpOption());
        CommandLine cl = CliArgs.parseWithArguments(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain report <run | sweep dir | glob | job id>... [--out DIR] [--target-loss LOSS]"
                            + " [--panel-by KEYS] [--line-by KEYS]", o,
                    "Reads every metrics.h5 below the given paths (ids are looked up in $DETRAIN_RESULTS, else"
                            + " results: 4711 is results/<name>-4711, 4711_3 its task-003); runs that differ only in"
                            + " seed are averaged."
                            + " Writes report.md, summary.csv and the figures (PNG and PDF; --formats). Exit codes: 0 done, 2 bad input (nothing written).");
            return 0;
        }
        Double target = cl.hasOption("target-loss") ? CliArgs.parseDouble(cl.getOptionValue("target-loss"), "--target-loss")
                : null;
        Report.run(new Report.Options(cl.getArgList(), CliArgs.optionalPath(cl, "out"),
                target, keyList(cl.getOptionValue("panel-by")), keyList(cl.getOptionValue("line-by")),
                cl.hasOption("formats") ? Report.formats(cl.getOptionValue("formats")) : Report.DEFAULT_FORMATS,
                CliArgs.optionalPath(cl, "results")), out);
        return 0;
    }

    /** Comma-separated config keys; null when the option is not given (the report's defaults apply). */
    private static List<String> keyList(String text) {
        if (text == null) {
            return null;
        }
        return Arrays.stream(text.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
    }
}
