package org.detrain.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.detrain.config.ConfigSchema;
import org.detrain.config.KeySpec;
import org.detrain.config.RunConfig;
import org.detrain.runner.CheckLauncher;
import org.detrain.runner.RunSummary;
import org.detrain.runner.TrainLauncher;
import org.detrain.runner.Version;
import org.detrain.util.DetrainException;

/** The detrain command line. The only place that exits the JVM. */
public final class Main {
    private static final String USAGE = """
            usage: detrain <command> [options]

            commands:
              train    launch a training run on this machine (MPJ Express multicore or niodev)
              check    prove the MPJ transport: exact gossip on ring and tori, then latency and bandwidth
              config   print the resolved configuration, or every key with its default (--keys)
              devices  list the compute devices (device=…), or check one against the Java reference (--check)
              version  print the version

            `detrain <command> --help` describes a command's options.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? DetrainException.BAD_INPUT : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "train" -> train(rest, out);
                case "config" -> config(rest, out);
                case "check" -> check(rest, out);
                case "devices" -> devices(rest, out);
                case "version", "--version" -> {
                    out.println("detrain " + Version.VERSION);
                    yield 0;
                }
                default -> throw new DetrainException("unknown command '" + args[0] + "'; commands: train, check, config, devices, version");
            };
        } catch (DetrainException e) {
            err.println("detrain: " + e.getMessage());
            return e.exitCode();
        }
    }

    private static Options trainOptions() {
        Options o = new Options();
        o.addOption(Option.builder("np").hasArg().argName("N").desc("number of ranks (default 4)").build());
        o.addOption(Option.builder("c").longOpt("config").hasArg().argName("FILE").desc("config file (key = value lines); see jobs/").build());
        o.addOption(Option.builder("s").longOpt("set").hasArg().argName("KEY=VALUE").desc("override one config key (repeatable)").build());
        o.addOption(Option.builder().longOpt("transport").hasArg().argName("DEV")
                .desc("MPJ Express device: multicore (ranks as threads of one JVM, default) or niodev (one JVM per rank over TCP)").build());
        o.addOption(Option.builder().longOpt("run-id").hasArg().argName("ID").desc("name of the results directory (default <config>-<date>-<time>)").build());
        o.addOption(Option.builder().longOpt("results").hasArg().argName("DIR").desc("parent of run directories (default results)").build());
        o.addOption(Option.builder().longOpt("overwrite").desc("replace an existing results directory of the same id").build());
        o.addOption(Option.builder().longOpt("jvm").hasArg().argName("OPT").desc("extra JVM option for the rank JVMs, e.g. --jvm=-Xmx8g (repeatable)").build());
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        return o;
    }

    private static int train(String[] args, PrintStream out) {
        Options options = trainOptions();
        CommandLine cl = parse(options, args);
        if (cl.hasOption("help")) {
            help(out, "detrain train [-np N] [--config FILE] [--set key=value ...] [options]", options,
                    "Exit codes: 0 done, 2 bad input (nothing written), 3 the run failed (see results/<id>/log).");
            return 0;
        }
        int ranks = parseInt(cl.getOptionValue("np", "4"), "-np");
        Path home = detrainHome();
        TrainLauncher.Options opts = new TrainLauncher.Options(home,
                cl.hasOption("config") ? Path.of(cl.getOptionValue("config")) : null,
                cl.hasOption("set") ? List.of(cl.getOptionValues("set")) : List.of(), ranks,
                cl.getOptionValue("transport", "multicore"), cl.getOptionValue("run-id"),
                Path.of(cl.getOptionValue("results", "results")), cl.hasOption("overwrite"),
                cl.hasOption("jvm") ? List.of(cl.getOptionValues("jvm")) : List.of(),
                "detrain train " + String.join(" ", args));
        TrainLauncher.Outcome outcome = TrainLauncher.run(opts, out);
        RunSummary s = outcome.summary();
        out.println(s.describe());
        out.println("results: " + outcome.runDir());
        return 0;
    }

    private static int check(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder("np").hasArg().argName("N").desc("number of ranks (default 4)").build());
        o.addOption(Option.builder().longOpt("transport").hasArg().argName("DEV").desc("multicore (default) or niodev").build());
        o.addOption(Option.builder().longOpt("rounds").hasArg().argName("R").desc("timed exchanges per payload size (default 200)").build());
        o.addOption(Option.builder().longOpt("floats").hasArg().argName("F").desc("large payload in floats (default 1048576)").build());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("S").desc("seconds to wait for a peer (default 60)").build());
        o.addOption(Option.builder().longOpt("jvm").hasArg().argName("OPT").desc("extra JVM option (repeatable)").build());
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        CommandLine cl = parse(o, args);
        if (cl.hasOption("help")) {
            help(out, "detrain check [-np N] [--transport multicore|niodev] [--rounds R] [--floats F]", o,
                    "Exit codes: 0 passed, 2 bad input, 3 the check failed.");
            return 0;
        }
        double timeout;
        try {
            timeout = Double.parseDouble(cl.getOptionValue("timeout", "60"));
        } catch (NumberFormatException e) {
            throw new DetrainException("--timeout must be a number of seconds");
        }
        CheckLauncher.run(detrainHome(), parseInt(cl.getOptionValue("np", "4"), "-np"),
                cl.getOptionValue("transport", "multicore"), parseInt(cl.getOptionValue("rounds", "200"), "--rounds"),
                parseInt(cl.getOptionValue("floats", "1048576"), "--floats"), timeout,
                cl.hasOption("jvm") ? List.of(cl.getOptionValues("jvm")) : List.of(), out);
        return 0;
    }

    private static int config(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder("c").longOpt("config").hasArg().argName("FILE").desc("config file").build());
        o.addOption(Option.builder("s").longOpt("set").hasArg().argName("KEY=VALUE").desc("override a key (repeatable)").build());
        o.addOption(Option.builder().longOpt("keys").desc("list every key with type, default and meaning").build());
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        CommandLine cl = parse(o, args);
        if (cl.hasOption("help")) {
            help(out, "detrain config [--config FILE] [--set key=value ...] | --keys", o, "");
            return 0;
        }
        if (cl.hasOption("keys")) {
            for (KeySpec k : ConfigSchema.KEYS) {
                out.printf("%-20s %-28s default %-20s %s%n", k.name(), k.range(), k.defaultValue(), k.description());
            }
            return 0;
        }
        RunConfig config = RunConfig.load(cl.hasOption("config") ? Path.of(cl.getOptionValue("config")) : null,
                cl.hasOption("set") ? List.of(cl.getOptionValues("set")) : List.of());
        out.print(config.toPropertiesText());
        return 0;
    }

    private static int devices(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("check").hasArg().argName("DEVICE")
                .desc("run a training step of every model and the mixing arithmetic on DEVICE (auto, gpu, cpu, jtp)"
                        + " and compare with the Java reference").build());
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        CommandLine cl = parse(o, args);
        if (cl.hasOption("help")) {
            help(out, "detrain devices [--check DEVICE]", o, "");
            return 0;
        }
        if (cl.hasOption("check")) {
            org.detrain.model.DeviceCheck.check(cl.getOptionValue("check"), out);
        } else {
            org.detrain.model.DeviceCheck.list(out);
        }
        return 0;
    }

    private static CommandLine parse(Options options, String[] args) {
        try {
            CommandLine cl = new DefaultParser().parse(options, args);
            if (!cl.getArgList().isEmpty()) {
                throw new DetrainException("unexpected argument(s) " + cl.getArgList() + "; see --help");
            }
            return cl;
        } catch (ParseException e) {
            throw new DetrainException(e.getMessage() + "; see --help");
        }
    }

    private static int parseInt(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new DetrainException(what + " must be a whole number, got '" + text + "'");
        }
    }

    private static void help(PrintStream out, String syntax, Options options, String footer) {
        PrintWriter w = new PrintWriter(out);
        new HelpFormatter().printHelp(w, 100, syntax, "", options, 2, 2, footer);
        w.flush();
    }

    /** The checkout detrain runs from: bin/detrain passes it; tests set it as a system property. */
    private static Path detrainHome() {
        String home = System.getProperty("detrain.home");
        if (home == null) {
            throw new DetrainException("detrain.home is not set; start detrain through bin/detrain");
        }
        return Path.of(home).toAbsolutePath().normalize();
    }
}
