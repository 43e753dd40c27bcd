package org.detrain.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.diag.DeviceCheck;

/** {@code detrain devices}: the compute devices, or one checked against the Java reference. */
final class DevicesCommand {
    private DevicesCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("check").hasArg().argName("DEVICE")
                .desc("run a training step of every model and the mixing arithmetic on DEVICE (auto, gpu, cpu, jtp)"
                        + " and compare with the Java reference").build());
        o.addOption(CliArgs.helpOption());
        CommandLine cl = CliArgs.parse(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain devices [--check DEVICE]", o, "");
            return 0;
        }
        if (cl.hasOption("check")) {
            DeviceCheck.check(cl.getOptionValue("check"), out);
        } else {
            DeviceCheck.list(out);
        }
        return 0;
    }
}
