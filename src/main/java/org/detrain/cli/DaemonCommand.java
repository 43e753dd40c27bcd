package org.detrain.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.comm.DaemonService;
import org.detrain.util.DetrainException;

/** {@code detrain daemon}: starts this host's ranks of multi-host niodev jobs for launchers that prove the job secret. */
final class DaemonCommand {
    private DaemonCommand() {
    }

    static int run(String[] args, PrintStream out) {
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
        o.addOption(Option.builder().longOpt("secret").hasArg().argName("FILE")
                .desc("the job secret every launcher must prove, readable by you only (default: the --allow machines"
                        + " file's name + .secret, created if missing; `detrain train --secret` names the same file)").build());
        o.addOption(CliArgs.helpOption());
        CommandLine cl = CliArgs.parse(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain daemon --port P --allow FILE|HOSTS [--secret FILE] [--bind HOST] [--ready FILE]"
                            + " [--log FILE]", o,
                    "Starts the ranks of niodev jobs on this host for launchers that prove the job secret, listening on"
                            + " one address and refusing other hosts, until stopped (SIGTERM); a launcher's ranks are"
                            + " killed when its connection ends. slurm/detrain.sbatch starts one per node.");
            return 0;
        }
        if (!cl.hasOption("port") || !cl.hasOption("allow")) {
            throw DetrainException.badInput("detrain daemon needs --port P and --allow (the machines file of the job); see --help");
        }
        DaemonService.Request request = new DaemonService.Request(CliArgs.parseInt(cl.getOptionValue("port"), "--port"),
                cl.getOptionValue("bind"), cl.getOptionValue("allow"), CliArgs.optionalPath(cl, "secret"),
                CliArgs.optionalPath(cl, "ready"), CliArgs.optionalPath(cl, "log"));
        DaemonService.serve(CliArgs.detrainHome(), request, out);
        return 0;
    }
}
