package org.detrain.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.comm.Transport;
import org.detrain.kernel.ComputeDevice;
import org.detrain.launch.ResumeLauncher;
import org.detrain.launch.TrainLauncher;
import org.detrain.launch.TrainOutcome;
import org.detrain.util.DetrainException;

/** {@code detrain train}: start a run, resume one, or resume it if possible (requeued job scripts). */
final class TrainCommand {
    /** Options that name a new run; a resumed run keeps its directory and config (--set: its length only). */
    private static final List<String> NOT_WITH_RESUME =
            List.of("config", "run-id", "results", "overwrite", "resume-if-possible");

    private TrainCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options options = options();
        CommandLine cl = CliArgs.parse(options, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain train [-np N] [--config FILE] [--set key=value ...] [options]\n"
                            + "       detrain train --resume results/<run-id> [-np N] [--transport DEV]"
                            + " [--set epochs=N | --set iterations=N]", options,
                    "Exit codes: 0 done, 2 bad input (nothing written), 3 the run failed (see results/<id>/log), "
                            + DetrainException.STOPPED + " stopped on SIGUSR1/SIGTERM after a complete checkpoint"
                            + " (continue with --resume).");
            return 0;
        }
        // this JVM only checks the device (the ranks use it): OpenCL is probed in a child JVM
        return ComputeDevice.probingInChildProcess(() -> train(cl, args, out));
    }

    private static int train(CommandLine cl, String[] args, PrintStream out) {
        Path home = CliArgs.detrainHome();
        List<String> jvm = CliArgs.values(cl, "jvm");
        String commandLine = "detrain train " + String.join(" ", args);
        TrainOutcome outcome;
        if (cl.hasOption("resume")) {
            for (String fixed : NOT_WITH_RESUME) {
                if (cl.hasOption(fixed)) {
                    throw DetrainException.badInput("--" + fixed + " cannot be combined with --resume: a resumed run keeps"
                            + " its directory and the config it was launched with (" + cl.getOptionValue("resume")
                            + "/config.properties)");
                }
            }
            outcome = ResumeLauncher.resume(new ResumeLauncher.Resume(home, Path.of(cl.getOptionValue("resume")),
                    cl.hasOption("np") ? CliArgs.parseInt(cl.getOptionValue("np"), "-np") : null,
                    CliArgs.transport(cl, null), CliArgs.placement(cl), jvm, commandLine, CliArgs.values(cl, "set")), out);
        } else {
            if (cl.hasOption("resume-if-possible") && cl.hasOption("overwrite")) {
                throw DetrainException.badInput("--resume-if-possible and --overwrite contradict each other; choose one");
            }
            TrainLauncher.Options opts = new TrainLauncher.Options(home, CliArgs.optionalPath(cl, "config"),
                    CliArgs.values(cl, "set"), CliArgs.parseInt(cl.getOptionValue("np", "4"), "-np"),
                    CliArgs.transport(cl, Transport.MULTICORE), CliArgs.placement(cl), cl.getOptionValue("run-id"),
                    Path.of(cl.getOptionValue("results", "results")), cl.hasOption("overwrite"), jvm, commandLine);
            outcome = cl.hasOption("resume-if-possible")
                    ? TrainLauncher.resumeIfPossible(opts, out) : TrainLauncher.run(opts, out);
        }
        out.println(outcome.summary().describe());
        out.println("results: " + outcome.runDir());
        return 0;
    }

    private static Options options() {
        Options o = new Options();
        o.addOption(Option.builder("np").hasArg().argName("N").desc("number of ranks (default 4); a count whose estimated"
                + " memory does not fit the machine or the rank JVM's heap is refused before anything starts").build());
        CliArgs.addConfigOptions(o, "config file (key = value lines); see jobs/", "override one config key (repeatable)");
        o.addOption(Option.builder().longOpt("transport").hasArg().argName("DEV")
                .desc("MPJ Express device: multicore (ranks as threads of one JVM, default) or niodev (one JVM per rank over TCP)").build());
        o.addOption(Option.builder().longOpt("run-id").hasArg().argName("ID").desc("name of the results directory (default <config>-<date>-<time>)").build());
        o.addOption(Option.builder().longOpt("results").hasArg().argName("DIR").desc("parent of run directories (default results)").build());
        o.addOption(Option.builder().longOpt("overwrite").desc("replace an existing results directory of the same id").build());
        o.addOption(Option.builder().longOpt("jvm").hasArg().argName("OPT").desc("extra JVM option for the rank JVMs, e.g. --jvm=-Xmx8g (repeatable)").build());
        o.addOption(Option.builder().longOpt("resume").hasArg().argName("RUN_DIR")
                .desc("continue results/<run-id> from its newest complete checkpoint (its own config; -np and"
                        + " --transport default to the original launch); with --set epochs=N or iterations=N, extend"
                        + " a finished run (no other key may change)").build());
        o.addOption(Option.builder().longOpt("resume-if-possible")
                .desc("with --run-id: resume that run if it has a complete checkpoint of this config, else start it"
                        + " (for job scripts that may be requeued)").build());
        CliArgs.addPlacementOptions(o);
        o.addOption(CliArgs.helpOption());
        return o;
    }
}
