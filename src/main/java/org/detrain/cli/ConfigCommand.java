package org.detrain.cli;

import java.io.PrintStream;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.config.ConfigSchema;
import org.detrain.config.KeySpec;

/** {@code detrain config}: the resolved configuration, or every key with its default. */
final class ConfigCommand {
    private ConfigCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options o = new Options();
        CliArgs.addConfigOptions(o, "config file", "override a key (repeatable)");
        o.addOption(Option.builder().longOpt("keys").desc("list every key with type, default and meaning").build());
        o.addOption(CliArgs.helpOption());
        CommandLine cl = CliArgs.parse(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain config [--config FILE] [--set key=value ...] | --keys", o, "");
            return 0;
        }
        if (cl.hasOption("keys")) {
            for (KeySpec k : ConfigSchema.KEYS) {
                out.printf("%-20s %-28s default %-20s %s%n", k.name(), k.range(), k.defaultValue(), k.description());
            }
            return 0;
        }
        out.print(CliArgs.config(cl).toPropertiesText());
        return 0;
    }
}
