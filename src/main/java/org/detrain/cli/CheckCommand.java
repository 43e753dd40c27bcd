package org.detrain.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.comm.Deployment;
import org.detrain.comm.Transport;
import org.detrain.launch.CheckLauncher;

/** {@code detrain check}: prove the MPJ transport (exact gossip, then latency and bandwidth). */
final class CheckCommand {
    private CheckCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder("np").hasArg().argName("N").desc("number of ranks (default 4)").build());
        o.addOption(Option.builder().longOpt("transport").hasArg().argName("DEV").desc("multicore (default) or niodev").build());
        o.addOption(Option.builder().longOpt("rounds").hasArg().argName("R").desc("timed exchanges per payload size (default 200)").build());
        o.addOption(Option.builder().longOpt("floats").hasArg().argName("F").desc("large payload in floats (default 1048576)").build());
        o.addOption(Option.builder().longOpt("timeout").hasArg().argName("S").desc("seconds to wait for a peer (default 60)").build());
        o.addOption(Option.builder().longOpt("jvm").hasArg().argName("OPT").desc("extra JVM option (repeatable)").build());
        CliArgs.addPlacementOptions(o);
        o.addOption(CliArgs.helpOption());
        CommandLine cl = CliArgs.parse(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain check [-np N] [--transport multicore|niodev] [--rounds R] [--floats F]", o,
                    "Exit codes: 0 passed, 2 bad input, 3 the check failed.");
            return 0;
        }
        double timeout = CliArgs.optionalDouble(cl, "timeout", 60);
        Deployment deployment = new Deployment(CliArgs.transport(cl, Transport.MULTICORE), CliArgs.placement(cl));
        CheckLauncher.run(CliArgs.detrainHome(), CliArgs.parseInt(cl.getOptionValue("np", "4"), "-np"), deployment,
                CliArgs.parseInt(cl.getOptionValue("rounds", "200"), "--rounds"),
                CliArgs.parseInt(cl.getOptionValue("floats", "1048576"), "--floats"), timeout,
                CliArgs.values(cl, "jvm"), out);
        return 0;
    }
}
