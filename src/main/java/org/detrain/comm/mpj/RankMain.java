package org.detrain.comm.mpj;

import mpi.MPI;
import org.detrain.comm.CommWatchdog;
import org.detrain.comm.RankProgram;
import org.detrain.util.DetrainException;

/**
 * Entry point of every MPJ rank, multicore (a thread with its own class loader, so its own MPI
 * statics) or niodev (a JVM of its own). Arguments after MPJ's own:
 * {@code <RankProgram class> <comm timeout seconds> <program args...>}.
 *
 * <p>A failing rank records its failure through the program and stops its process at once:
 * under multicore that ends every rank of the job (a world abort); under niodev the launcher sees
 * the failure record and stops the rest.
 */
public final class RankMain {
    private RankMain() {
    }

    public static void main(String[] mpjArgs) {
        String[] args = MPI.Init(mpjArgs);
        int rank = MPI.COMM_WORLD.Rank();
        RankProgram program;
        double timeout;
        String[] programArgs;
        try {
            program = (RankProgram) Class.forName(args[0]).getDeclaredConstructor().newInstance();
            timeout = Double.parseDouble(args[1]);
            programArgs = java.util.Arrays.copyOfRange(args, 2, args.length);
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("detrain rank " + rank + ": bad rank arguments " + java.util.Arrays.toString(args) + ": " + e);
            Runtime.getRuntime().halt(DetrainException.RUN_FAILED);
            return;
        }
        RankProgram p = program;
        CommWatchdog watchdog = new CommWatchdog(rank, MPI.COMM_WORLD.Size(), timeout, failure -> fail(p, rank, failure));
        String transport = isMulticore(mpjArgs) ? "multicore" : "niodev";
        try {
            program.run(new MpjCommunicator(MPI.COMM_WORLD, transport, watchdog), programArgs);
            watchdog.stop();
            MPI.Finalize();
        } catch (Throwable t) {
            fail(program, rank, t);
        }
    }

    private static boolean isMulticore(String[] mpjArgs) {
        // MulticoreStarter passes (rank, size, "smpdev", ...); niodev's wrapper passes its conf text.
        return mpjArgs.length > 2 && "smpdev".equals(mpjArgs[2]);
    }

    private static void fail(RankProgram program, int rank, Throwable failure) {
        program.reportFailure(rank, failure);
        int code = failure instanceof DetrainException d ? d.exitCode() : DetrainException.RUN_FAILED;
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(code);
    }
}
