package org.detrain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.config.RunConfig;
import org.detrain.theory.Complexity;
import org.detrain.theory.TheoryReport;
import org.detrain.util.DetrainException;

/** {@code detrain theory}: what the analysis predicts for a topology. */
final class TheoryCommand {
    private TheoryCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options o = options();
        CommandLine cl = CliArgs.parse(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain theory --n N [--topology NAME] [--weights W] [--kappa K] [--eta η] [--rounds R] [constants]", o,
                    "Exit codes: 0 done, 2 bad input.");
            return 0;
        }
        if (cl.hasOption("n") && cl.hasOption("np") && !cl.getOptionValue("n").equals(cl.getOptionValue("np"))) {
            throw DetrainException.badInput("--n " + cl.getOptionValue("n") + " and -np " + cl.getOptionValue("np")
                    + " name two rank counts: give one of them");
        }
        String n = cl.getOptionValue("n", cl.getOptionValue("np"));
        if (n == null) {
            throw DetrainException.badInput("theory needs the number of ranks: pass --n N (e.g. --n 16)");
        }
        RunConfig config = CliArgs.config(cl);
        Complexity.Constants d = Complexity.Constants.DEFAULTS;
        Complexity.Constants constants = new Complexity.Constants(
                CliArgs.optionalDouble(cl, "delta", d.delta()), CliArgs.optionalDouble(cl, "smoothness", d.smoothness()),
                CliArgs.optionalDouble(cl, "sigma", d.sigma()), CliArgs.optionalDouble(cl, "varsigma", d.varsigma()),
                CliArgs.optionalDouble(cl, "varsigma0", d.varsigma0()), CliArgs.optionalDouble(cl, "batch", d.batch()),
                CliArgs.optionalDouble(cl, "epsilon", d.epsilon()));
        TheoryReport.Options options = new TheoryReport.Options(
                cl.getOptionValue("topology", config.get("topology")), CliArgs.parseInt(n, "--n"),
                CliArgs.parseInt(cl.getOptionValue("rows", config.get("topology.rows")), "--rows"),
                CliArgs.parseInt(cl.getOptionValue("cols", config.get("topology.cols")), "--cols"),
                cl.getOptionValue("weights", config.get("weights")),
                CliArgs.parseDouble(cl.getOptionValue("kappa", config.get("weights.kappa")), "--kappa"),
                cl.hasOption("eta") ? CliArgs.parseDouble(cl.getOptionValue("eta"), "--eta") : null,
                cl.hasOption("rounds") ? CliArgs.parseInt(cl.getOptionValue("rounds"), "--rounds") : null,
                cl.hasOption("iterations") ? (long) CliArgs.parseInt(cl.getOptionValue("iterations"), "--iterations") : null,
                cl.hasOption("seed") ? CliArgs.parseInt(cl.getOptionValue("seed"), "--seed") : 1L, constants,
                config.getDouble("topology.p"), config.getLong("seed"),
                config.get("topology.file").isEmpty() ? null : Path.of(config.get("topology.file")));
        out.print(TheoryReport.format(TheoryReport.analyse(options)));
        return 0;
    }

    private static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("topology").hasArg().argName("NAME").desc("graph: ring, torus, complete, star, path, hypercube, exponential, erdos-renyi (topology.p, seed from --config/--set), file (topology.file) (default ring, or the config's)").build());
        o.addOption(Option.builder("n").longOpt("n").hasArg().argName("N").desc("number of ranks (required; -np works too)").build());
        o.addOption(Option.builder("np").hasArg().argName("N").desc("same as --n").build());
        o.addOption(Option.builder().longOpt("rows").hasArg().argName("R").desc("torus rows (default 0: factor n)").build());
        o.addOption(Option.builder().longOpt("cols").hasArg().argName("C").desc("torus columns (default 0: factor n)").build());
        o.addOption(Option.builder().longOpt("weights").hasArg().argName("W").desc("metropolis (default), lazy or uniform").build());
        o.addOption(Option.builder().longOpt("kappa").hasArg().argName("K").desc("kappa-slack in (0, 1] (default 1)").build());
        CliArgs.addConfigOptions(o, "take topology, rows, cols, weights and kappa from a run config (options above win)",
                "override a config key (repeatable)");
        o.addOption(Option.builder().longOpt("eta").hasArg().argName("ETA").desc("accelerated-gossip momentum (default: from lambda)").build());
        o.addOption(Option.builder().longOpt("rounds").hasArg().argName("R").desc("gossip rounds to simulate (default: DeTAG's recommended R)").build());
        o.addOption(Option.builder().longOpt("iterations").hasArg().argName("T").desc("training iterations T for DeTAG's R").build());
        o.addOption(Option.builder().longOpt("seed").hasArg().argName("S").desc("seed of the simulation's random start (default 1)").build());
        o.addOption(Option.builder().longOpt("delta").hasArg().argName("Δ").desc("f(x0) - inf f (default 1)").build());
        o.addOption(Option.builder().longOpt("smoothness").hasArg().argName("L").desc("gradient Lipschitz constant L (default 1)").build());
        o.addOption(Option.builder().longOpt("sigma").hasArg().argName("σ").desc("stochastic gradient noise σ (default 1)").build());
        o.addOption(Option.builder().longOpt("varsigma").hasArg().argName("ς").desc("heterogeneity ς between workers (default 1)").build());
        o.addOption(Option.builder().longOpt("varsigma0").hasArg().argName("ς0").desc("heterogeneity ς0 at the start (default 1)").build());
        o.addOption(Option.builder().longOpt("batch").hasArg().argName("B").desc("mini-batch size B (default 1)").build());
        o.addOption(Option.builder().longOpt("epsilon").hasArg().argName("ε").desc("target gradient norm ε (default 0.1)").build());
        o.addOption(CliArgs.helpOption());
        return o;
    }
}
