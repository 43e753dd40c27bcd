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
import org.detrain.report.Report;
import org.detrain.launch.CheckLauncher;
import org.detrain.results.RunSummary;
import org.detrain.launch.TrainLauncher;
import org.detrain.results.Version;
import org.detrain.theory.Complexity;
import org.detrain.theory.TheoryReport;
import org.detrain.util.DetrainException;

/** The detrain command line. The only place that exits the JVM. */
public final class Main {
    private static final String USAGE = """
            usage: detrain <command> [options]

            commands:
              train    launch a training run on this machine (MPJ Express multicore or niodev)
              check    prove the MPJ transport: exact gossip on ring and tori, then latency and bandwidth
              config   print the resolved configuration, or every key with its default (--keys)
              report   plots and a table from runs' metrics.h5 (a run or a whole sweep directory)
              theory   what the theory predicts for a topology: lambda, eta, DeTAG's R, complexity table
              daemon   run a guarded MPJ daemon on this host for a multi-host niodev job (one per host)
              sweep    expand a sweep description (jobs/sweeps/*.sweep) and collect its runs
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
                case "report" -> report(rest, out);
                case "theory" -> theory(rest, out);
                case "daemon" -> daemon(rest, out);
                case "sweep" -> org.detrain.sweep.SweepCommand.run(rest, out);
                case "devices" -> devices(rest, out);
                case "version", "--version" -> {
                    out.println("detrain " + Version.VERSION);
                    yield 0;
                }
                default -> throw DetrainException.badInput("unknown command '" + args[0] + "'; commands: train, check, config,"
                        + " devices, report, theory, daemon, sweep, version");
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
        o.addOption(Option.builder().longOpt("resume").hasArg().argName("RUN_DIR")
                .desc("continue results/<run-id> from its newest complete checkpoint (its own config; -np and"
                        + " --transport default to the original launch)").build());
        o.addOption(Option.builder().longOpt("resume-if-possible")
                .desc("with --run-id: resume that run if it has a complete checkpoint of this config, else start it"
                        + " (for job scripts that may be requeued)").build());
        addHostOptions(o);
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        return o;
    }

    /** Multi-host niodev: ranks on the MPJ daemons (`detrain daemon`) already running on these hosts. */
    private static void addHostOptions(Options o) {
        o.addOption(Option.builder().longOpt("machines").hasArg().argName("FILE")
                .desc("niodev on several hosts: one host per line, each running `detrain daemon --port P`; ranks go"
                        + " in blocks, rank 0 on the first host").build());
        o.addOption(Option.builder().longOpt("daemon-port").hasArg().argName("P")
                .desc("the port the hosts' daemons listen on (with --machines)").build());
    }

    private static org.detrain.comm.MpjLauncher.Placement placement(CommandLine cl, String transport) {
        if (!cl.hasOption("machines") && !cl.hasOption("daemon-port")) {
            return null;
        }
        if (!cl.hasOption("machines") || !cl.hasOption("daemon-port")) {
            throw DetrainException.badInput("--machines and --daemon-port go together: the hosts and the port their"
                    + " `detrain daemon` listens on");
        }
        if (!"niodev".equals(transport)) {
            throw DetrainException.badInput("--machines runs ranks on several hosts and needs --transport niodev");
        }
        return org.detrain.comm.MpjLauncher.Placement.read(Path.of(cl.getOptionValue("machines")),
                parseInt(cl.getOptionValue("daemon-port"), "--daemon-port"));
    }

    private static int train(String[] args, PrintStream out) {
        Options options = trainOptions();
        CommandLine cl = parse(options, args);
        if (cl.hasOption("help")) {
            help(out, "detrain train [-np N] [--config FILE] [--set key=value ...] [options]\n"
                            + "       detrain train --resume results/<run-id> [-np N] [--transport DEV]", options,
                    "Exit codes: 0 done, 2 bad input (nothing written), 3 the run failed (see results/<id>/log), "
                            + DetrainException.STOPPED + " stopped on SIGUSR1/SIGTERM after a complete checkpoint"
                            + " (continue with --resume).");
            return 0;
        }
        Path home = detrainHome();
        List<String> jvm = cl.hasOption("jvm") ? List.of(cl.getOptionValues("jvm")) : List.of();
        String commandLine = "detrain train " + String.join(" ", args);
        if (cl.hasOption("resume")) {
            for (String fixed : List.of("config", "set", "run-id", "results", "overwrite", "resume-if-possible")) {
                if (cl.hasOption(fixed)) {
                    throw DetrainException.badInput("--" + fixed + " cannot be combined with --resume: a resumed run keeps"
                            + " its directory and the config it was launched with (" + cl.getOptionValue("resume")
                            + "/config.properties)");
                }
            }
            TrainLauncher.Outcome outcome = TrainLauncher.resume(new TrainLauncher.Resume(home,
                    Path.of(cl.getOptionValue("resume")), cl.hasOption("np") ? parseInt(cl.getOptionValue("np"), "-np") : null,
                    cl.getOptionValue("transport"), jvm, commandLine),
                    placement(cl, cl.getOptionValue("transport", "niodev")), out);
            out.println(outcome.summary().describe());
            out.println("results: " + outcome.runDir());
            return 0;
        }
        int ranks = parseInt(cl.getOptionValue("np", "4"), "-np");
        TrainLauncher.Options opts = new TrainLauncher.Options(home,
                cl.hasOption("config") ? Path.of(cl.getOptionValue("config")) : null,
                cl.hasOption("set") ? List.of(cl.getOptionValues("set")) : List.of(), ranks,
                cl.getOptionValue("transport", "multicore"), cl.getOptionValue("run-id"),
                Path.of(cl.getOptionValue("results", "results")), cl.hasOption("overwrite"),
                jvm, commandLine);
        if (cl.hasOption("resume-if-possible") && cl.hasOption("overwrite")) {
            throw DetrainException.badInput("--resume-if-possible and --overwrite contradict each other; choose one");
        }
        org.detrain.comm.MpjLauncher.Placement placement = placement(cl, opts.transport());
        TrainLauncher.Outcome outcome = cl.hasOption("resume-if-possible")
                ? TrainLauncher.resumeIfPossible(opts, placement, out) : TrainLauncher.run(opts, placement, out);
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
        addHostOptions(o);
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
            throw DetrainException.badInput("--timeout must be a number of seconds");
        }
        String transport = cl.getOptionValue("transport", "multicore");
        CheckLauncher.run(detrainHome(), parseInt(cl.getOptionValue("np", "4"), "-np"),
                transport, placement(cl, transport), parseInt(cl.getOptionValue("rounds", "200"), "--rounds"),
                parseInt(cl.getOptionValue("floats", "1048576"), "--floats"), timeout,
                cl.hasOption("jvm") ? List.of(cl.getOptionValues("jvm")) : List.of(), out);
        return 0;
    }

    private static int daemon(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("port").hasArg().argName("P").desc("port to listen on (P+1 is used too)").build());
        o.addOption(Option.builder().longOpt("bind").hasArg().argName("HOST")
                .desc("the one address (or host name) to listen on (default: this host's name, as the machines file"
                        + " names it)").build());
        o.addOption(Option.builder().longOpt("allow").hasArg().argName("FILE|HOSTS")
                .desc("machines file, or comma-separated hosts, whose connections are accepted (all others are"
                        + " closed unread)").build());
        o.addOption(Option.builder().longOpt("ready").hasArg().argName("FILE").desc("written once the daemon accepts").build());
        o.addOption(Option.builder().longOpt("log").hasArg().argName("FILE").desc("daemon output (default: this output)").build());
        o.addOption(Option.builder().longOpt("work").hasArg().argName("DIR")
                .desc("directory for the daemon's private MPJ home, created and removed (default: a new temporary one)").build());
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        CommandLine cl = parse(o, args);
        if (cl.hasOption("help")) {
            help(out, "detrain daemon --port P --allow FILE|HOSTS [--bind HOST] [--ready FILE] [--log FILE]", o,
                    "Runs MPJ Express's daemon, bound to one address and refusing other hosts, until stopped"
                            + " (SIGTERM); stops every rank JVM it started. slurm/detrain.sbatch starts one per node.");
            return 0;
        }
        if (!cl.hasOption("port") || !cl.hasOption("allow")) {
            throw DetrainException.badInput("detrain daemon needs --port P and --allow (the machines file of the job); see --help");
        }
        int port = parseInt(cl.getOptionValue("port"), "--port");
        String bind = cl.getOptionValue("bind");
        if (bind == null) {
            try {
                bind = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                throw DetrainException.badInput("this host's name does not resolve (" + e.getMessage() + "); pass --bind ADDRESS");
            }
        }
        String allowArg = cl.getOptionValue("allow");
        List<String> allow = java.nio.file.Files.isRegularFile(Path.of(allowArg))
                ? org.detrain.comm.MpjLauncher.Placement.read(Path.of(allowArg), port).machines()
                : Arrays.stream(allowArg.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
        for (String h : concatHosts(bind, allow)) {
            try {
                java.net.InetAddress.getAllByName(h);
            } catch (java.net.UnknownHostException e) {
                throw DetrainException.badInput("host '" + h + "' does not resolve on this host; fix the machines file or the"
                        + " host names (/etc/hosts or DNS)");
            }
        }
        org.detrain.comm.MpjLauncher.serveDaemon(org.detrain.comm.MpjLauncher.Installation.locate(detrainHome()), port,
                bind, allow, cl.hasOption("ready") ? Path.of(cl.getOptionValue("ready")) : null,
                cl.hasOption("log") ? Path.of(cl.getOptionValue("log")) : null,
                cl.hasOption("work") ? Path.of(cl.getOptionValue("work")) : null, out);
        return 0;
    }

    private static List<String> concatHosts(String bind, List<String> allow) {
        List<String> all = new java.util.ArrayList<>(allow);
        all.add(0, bind);
        return all;
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

    private static int report(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder("o").longOpt("out").hasArg().argName("DIR")
                .desc("where the plots and tables go (default <input>/report; required with several inputs)").build());
        o.addOption(Option.builder().longOpt("target-loss").hasArg().argName("LOSS")
                .desc("training loss for the 'iterations to target' column (default: the highest final loss of any run)").build());
        o.addOption(Option.builder().longOpt("panel-by").hasArg().argName("KEYS")
                .desc("config keys that make panels, comma-separated (default: partition.shuffled and weights.kappa, where they vary)").build());
        o.addOption(Option.builder().longOpt("line-by").hasArg().argName("KEYS")
                .desc("config keys that make lines, comma-separated (default: algorithm, where it varies)").build());
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        CommandLine cl = parseWithArguments(o, args);
        if (cl.hasOption("help")) {
            help(out, "detrain report <run or sweep dir>... [--out DIR] [--target-loss LOSS] [--panel-by KEYS] [--line-by KEYS]", o,
                    "Reads every metrics.h5 below the given paths; runs that differ only in seed are averaged."
                            + " Writes report.md, summary.csv and PNG plots. Exit codes: 0 done, 2 bad input (nothing written).");
            return 0;
        }
        Double target = null;
        if (cl.hasOption("target-loss")) {
            target = parseDouble(cl.getOptionValue("target-loss"), "--target-loss");
        }
        Report.run(new Report.Options(cl.getArgList().stream().map(Path::of).toList(),
                cl.hasOption("out") ? Path.of(cl.getOptionValue("out")) : null, target,
                keyList(cl.getOptionValue("panel-by")), keyList(cl.getOptionValue("line-by"))), out);
        return 0;
    }

    private static List<String> keyList(String text) {
        if (text == null) {
            return null;
        }
        List<String> keys = Arrays.stream(text.split(",")).map(String::strip).filter(k -> !k.isEmpty()).toList();
        return keys;
    }

    private static int theory(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("topology").hasArg().argName("NAME").desc("graph: ring, torus, complete, star, path, hypercube, exponential, erdos-renyi (topology.p, seed from --config/--set), file (topology.file) (default ring, or the config's)").build());
        o.addOption(Option.builder("n").longOpt("n").hasArg().argName("N").desc("number of ranks (required; -np works too)").build());
        o.addOption(Option.builder("np").hasArg().argName("N").desc("same as --n").build());
        o.addOption(Option.builder().longOpt("rows").hasArg().argName("R").desc("torus rows (default 0: factor n)").build());
        o.addOption(Option.builder().longOpt("cols").hasArg().argName("C").desc("torus columns (default 0: factor n)").build());
        o.addOption(Option.builder().longOpt("weights").hasArg().argName("W").desc("metropolis (default), lazy or uniform").build());
        o.addOption(Option.builder().longOpt("kappa").hasArg().argName("K").desc("kappa-slack in (0, 1] (default 1)").build());
        o.addOption(Option.builder("c").longOpt("config").hasArg().argName("FILE")
                .desc("take topology, rows, cols, weights and kappa from a run config (options above win)").build());
        o.addOption(Option.builder("s").longOpt("set").hasArg().argName("KEY=VALUE").desc("override a config key (repeatable)").build());
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
        o.addOption(Option.builder("h").longOpt("help").desc("this help").build());
        CommandLine cl = parse(o, args);
        if (cl.hasOption("help")) {
            help(out, "detrain theory --n N [--topology NAME] [--weights W] [--kappa K] [--eta η] [--rounds R] [constants]", o,
                    "Exit codes: 0 done, 2 bad input.");
            return 0;
        }
        String n = cl.getOptionValue("n", cl.getOptionValue("np"));
        if (n == null) {
            throw DetrainException.badInput("theory needs the number of ranks: pass --n N (e.g. --n 16)");
        }
        RunConfig config = RunConfig.load(cl.hasOption("config") ? Path.of(cl.getOptionValue("config")) : null,
                cl.hasOption("set") ? List.of(cl.getOptionValues("set")) : List.of());
        Complexity.Constants d = Complexity.Constants.DEFAULTS;
        Complexity.Constants constants = new Complexity.Constants(
                optionalDouble(cl, "delta", d.delta()), optionalDouble(cl, "smoothness", d.smoothness()),
                optionalDouble(cl, "sigma", d.sigma()), optionalDouble(cl, "varsigma", d.varsigma()),
                optionalDouble(cl, "varsigma0", d.varsigma0()), optionalDouble(cl, "batch", d.batch()),
                optionalDouble(cl, "epsilon", d.epsilon()));
        TheoryReport.Options options = new TheoryReport.Options(
                cl.getOptionValue("topology", config.get("topology")), parseInt(n, "--n"),
                parseInt(cl.getOptionValue("rows", config.get("topology.rows")), "--rows"),
                parseInt(cl.getOptionValue("cols", config.get("topology.cols")), "--cols"),
                cl.getOptionValue("weights", config.get("weights")),
                parseDouble(cl.getOptionValue("kappa", config.get("weights.kappa")), "--kappa"),
                cl.hasOption("eta") ? parseDouble(cl.getOptionValue("eta"), "--eta") : null,
                cl.hasOption("rounds") ? parseInt(cl.getOptionValue("rounds"), "--rounds") : null,
                cl.hasOption("iterations") ? (long) parseInt(cl.getOptionValue("iterations"), "--iterations") : null,
                cl.hasOption("seed") ? parseInt(cl.getOptionValue("seed"), "--seed") : 1L, constants,
                config.getDouble("topology.p"), config.getLong("seed"),
                config.get("topology.file").isEmpty() ? null : Path.of(config.get("topology.file")));
        out.print(TheoryReport.format(TheoryReport.analyse(options)));
        return 0;
    }

    private static double optionalDouble(CommandLine cl, String option, double fallback) {
        return cl.hasOption(option) ? parseDouble(cl.getOptionValue(option), "--" + option) : fallback;
    }

    private static double parseDouble(String text, String what) {
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

    /** Like {@link #parse} but keeps the positional arguments (the paths of {@code report}). */
    private static CommandLine parseWithArguments(Options options, String[] args) {
        try {
            return new DefaultParser().parse(options, args);
        } catch (ParseException e) {
            throw DetrainException.badInput(e.getMessage() + "; see --help");
        }
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
            org.detrain.diag.DeviceCheck.check(cl.getOptionValue("check"), out);
        } else {
            org.detrain.diag.DeviceCheck.list(out);
        }
        return 0;
    }

    private static CommandLine parse(Options options, String[] args) {
        try {
            CommandLine cl = new DefaultParser().parse(options, args);
            if (!cl.getArgList().isEmpty()) {
                throw DetrainException.badInput("unexpected argument(s) " + cl.getArgList() + "; see --help");
            }
            return cl;
        } catch (ParseException e) {
            throw DetrainException.badInput(e.getMessage() + "; see --help");
        }
    }

    private static int parseInt(String text, String what) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw DetrainException.badInput(what + " must be a whole number, got '" + text + "'");
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
            throw DetrainException.badInput("detrain.home is not set; start detrain through bin/detrain");
        }
        return Path.of(home).toAbsolutePath().normalize();
    }
}
