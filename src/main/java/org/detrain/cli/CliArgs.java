package org.detrain.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.detrain.comm.Placement;
import org.detrain.comm.Transport;
import org.detrain.config.RunConfig;
import org.detrain.util.DetrainException;

/** What the subcommands share: parsing, typed option values, the options they have in common, help. */
final class CliArgs {
    private CliArgs() {
    }

    /** Options that may be given more than once (each occurrence adds a value); every other option takes one. */
    static final Set<String> REPEATABLE = Set.of("set", "jvm");

    /** Parses {@code args}; positional arguments are refused. */
    static CommandLine parse(Options options, String[] args) {
        CommandLine cl = parseWithArguments(options, args);
        if (!cl.getArgList().isEmpty()) {
            throw DetrainException.badInput("unexpected argument(s) " + cl.getArgList() + "; see --help");
        }
        return cl;
    }

    /** Like {@link #parse} but keeps the positional arguments (the paths of {@code report}). */
    static CommandLine parseWithArguments(Options options, String[] args) {
        CommandLine cl;
        try {
            cl = new DefaultParser().parse(options, args);
        } catch (ParseException e) {
            throw DetrainException.badInput(e.getMessage() + "; see --help");
        }
        refuseRepeats(cl);
        return cl;
    }

    /**
     * A single-valued option given twice is a mistake whichever value was meant (a script that appends
     * its own {@code --config} to the user's, {@code -np 2 ... -np 4}): refuse it, naming both values,
     * rather than silently keeping one. {@link #REPEATABLE} options collect every value.
     */
    private static void refuseRepeats(CommandLine cl) {
        Set<String> seen = new HashSet<>();
        for (Option o : cl.getOptions()) {
            String name = o.getLongOpt() != null ? o.getLongOpt() : o.getOpt();
            if (REPEATABLE.contains(name) || !seen.add(name)) {
                continue;
            }
            String[] values = cl.getOptionValues(name);
            if (o.hasArg() && values != null && values.length > 1) {
                String shown = (o.getLongOpt() != null ? "--" : "-") + name;
                throw DetrainException.badInput(shown + " is given " + values.length + " times ('"
                        + String.join("', '", values) + "') but takes one value: give it once");
            }
        }
    }

    static int parseInt(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            if (text.strip().matches("[+-]?\\d+")) { // a whole number, just not one an int holds
                throw DetrainException.badInput(what + " " + text.strip() + " is out of range for a whole-number option ("
                        + Integer.MIN_VALUE + " to " + Integer.MAX_VALUE + "); give a value in the option's range (see --help)");
            }
            throw DetrainException.badInput(what + " must be a whole number, got '" + text + "'");
        }
    }

    static double parseDouble(String text, String what) {
        try {
            double v = Double.parseDouble(text.strip());
            if (!Double.isFinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw DetrainException.badInput(what + " must be a finite number, got '" + text + "'");
        }
    }

    /** The option's value as a number, or {@code fallback} when it is not given. */
    static double optionalDouble(CommandLine cl, String option, double fallback) {
        return cl.hasOption(option) ? parseDouble(cl.getOptionValue(option), "--" + option) : fallback;
    }

    /** The option's value as a path, or null when it is not given. */
    static Path optionalPath(CommandLine cl, String option) {
        return cl.hasOption(option) ? Path.of(cl.getOptionValue(option)) : null;
    }

    /** Every value of a repeatable option, in order; empty when it is not given. */
    static List<String> values(CommandLine cl, String option) {
        return cl.hasOption(option) ? List.of(cl.getOptionValues(option)) : List.of();
    }

    static Option helpOption() {
        return Option.builder("h").longOpt("help").desc("this help").build();
    }

    /** {@code --config FILE} and {@code --set KEY=VALUE} (repeatable). */
    static void addConfigOptions(Options o, String configText, String setText) {
        o.addOption(Option.builder("c").longOpt("config").hasArg().argName("FILE").desc(configText).build());
        o.addOption(Option.builder("s").longOpt("set").hasArg().argName("KEY=VALUE").desc(setText).build());
    }

    /** The run configuration that {@code --config} and {@code --set} describe. */
    static RunConfig config(CommandLine cl) {
        return RunConfig.load(optionalPath(cl, "config"), values(cl, "set"));
    }

    /** The {@code --transport} given, or {@code fallback} (null: none) when it is not. */
    static Transport transport(CommandLine cl, Transport fallback) {
        return cl.hasOption("transport") ? Transport.parse(cl.getOptionValue("transport")) : fallback;
    }

    /** Multi-host niodev: ranks started by the `detrain daemon`s already running on these hosts. */
    static void addPlacementOptions(Options o) {
        o.addOption(Option.builder().longOpt("machines").hasArg().argName("FILE")
                .desc("niodev on several hosts: one host per line, each running `detrain daemon --port P`; ranks go"
                        + " in blocks, rank 0 on the first host").build());
        o.addOption(Option.builder().longOpt("daemon-port").hasArg().argName("P")
                .desc("the port the hosts' daemons listen on (with --machines)").build());
        o.addOption(Option.builder().longOpt("secret").hasArg().argName("FILE")
                .desc("with --machines: the job secret file the daemons were given (default: the machines file's name"
                        + " + .secret)").build());
    }

    /** The hosts of {@code --machines} on {@code --daemon-port}, or this host when neither is given. */
    static Placement placement(CommandLine cl) {
        if (!cl.hasOption("machines") && !cl.hasOption("daemon-port")) {
            if (cl.hasOption("secret")) {
                throw DetrainException.badInput("--secret goes with --machines and --daemon-port (ranks on several hosts);"
                        + " a job on this host makes its own secret");
            }
            return Placement.local();
        }
        if (!cl.hasOption("machines") || !cl.hasOption("daemon-port")) {
            throw DetrainException.badInput("--machines and --daemon-port go together: the hosts and the port their"
                    + " `detrain daemon` listens on");
        }
        return Placement.onHosts(Path.of(cl.getOptionValue("machines")),
                parseInt(cl.getOptionValue("daemon-port"), "--daemon-port"), optionalPath(cl, "secret"));
    }

    static void help(PrintStream out, String syntax, Options options, String footer) {
        PrintWriter w = new PrintWriter(out);
        new HelpFormatter().printHelp(w, 100, syntax, "", options, 2, 2, footer);
        w.flush();
    }

    /** The checkout detrain runs from: bin/detrain passes it; tests set it as a system property. */
    static Path detrainHome() {
        String home = System.getProperty("detrain.home");
        if (home == null) {
            throw DetrainException.badInput("detrain.home is not set; start detrain through bin/detrain");
        }
        return Path.of(home).toAbsolutePath().normalize();
    }
}
