package org.detrain.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import org.detrain.util.DetrainException;
import org.detrain.util.Spelling;

/**
 * The detrain command line: picks the subcommand (one class each) and turns the one exception type
 * into a message and an exit code. The only place that exits the JVM.
 */
public final class Main {
    private static final String USAGE = """
            usage: detrain <command> [options]

            commands:
              train    launch a training run on this machine (MPJ Express multicore or niodev)
              check    prove the MPJ transport: exact gossip on ring and tori, then latency and bandwidth
              config   print the resolved configuration, or every key with its default (--keys)
              report   plots and a table from runs' metrics.h5 (a run or a whole sweep directory)
              theory   what the theory predicts for a topology: lambda, eta, DeTAG's R, complexity table
              daemon   start this host's ranks of multi-host niodev jobs for launchers that prove the job secret
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

    /** The subcommands, in the order of the usage text. */
    static final List<String> COMMANDS = List.of("train", "check", "config", "report", "theory", "daemon", "sweep",
            "devices", "version");

    private static DetrainException unknownCommand(String typed) {
        String guess = Spelling.closest(typed, COMMANDS, 2);
        return DetrainException.badInput("unknown command '" + typed + "'"
                + (guess != null ? ": did you mean '" + guess + "'?" : ";") + " the commands are " + String.join(", ", COMMANDS)
                + " (detrain --help)");
    }

    /** Runs one command; returns the exit code: 0, 2 for bad input, 3 for a failed run, 75 for a stop. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            out.print(USAGE);
            return args.length == 0 ? DetrainException.BAD_INPUT : 0;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            return switch (args[0]) {
                case "train" -> TrainCommand.run(rest, out);
                case "check" -> CheckCommand.run(rest, out);
                case "config" -> ConfigCommand.run(rest, out);
                case "report" -> ReportCommand.run(rest, out);
                case "theory" -> TheoryCommand.run(rest, out);
                case "daemon" -> DaemonCommand.run(rest, out);
                case "sweep" -> SweepCommand.run(rest, out);
                case "devices" -> DevicesCommand.run(rest, out);
                case "version", "--version" -> VersionCommand.run(out);
                default -> throw unknownCommand(args[0]);
            };
        } catch (DetrainException e) {
            err.println("detrain: " + e.getMessage());
            return e.exitCode();
        } catch (OutOfMemoryError e) {
            // sizes the checks let through but this JVM cannot hold (a memory estimate per size is issue 14's)
            err.println("detrain: out of memory (" + e.getMessage() + ") while preparing `detrain " + args[0] + "`: the"
                    + " sizes asked for (-np, --n, synthetic.samples x synthetic.features, model widths) do not fit in"
                    + " this JVM's heap of " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB; ask for less, or"
                    + " raise the heap with DETRAIN_JAVA_OPTS=-Xmx<size>");
            return DetrainException.BAD_INPUT;
        }
    }
}
