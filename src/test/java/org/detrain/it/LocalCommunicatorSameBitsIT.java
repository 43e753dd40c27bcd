package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.comm.local.LocalWorld;
import org.detrain.it.programs.SameBitsProbe;
import org.detrain.launch.ProgramLauncher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process communicator gives the same bits as MPJ for the same program: every algorithm, built
 * as the runner builds it (sampler, mini-batches, Algorithms.create), run on 6 real MPJ ranks
 * (multicore) and on 6 LocalWorld threads, writes identical models and losses after every iteration.
 * This is what lets the exact-iterate unit tests stand for the MPJ runs.
 */
class LocalCommunicatorSameBitsIT {
    private static final String ALGORITHMS = "dpsgd,d2,dsgt,sgp,detag,defacto,allreduce";
    private static final List<String> ARGS = List.of("25", ALGORITHMS, "dataset=synthetic-hlsq", "model=linear",
            "synthetic.samples=32", "synthetic.features=6", "batch=4", "lr=0.05", "weights=lazy", "topology=torus",
            "detag.R=2", "detag.eta=0.3", "momentum=0.5", "weight.decay=0.01", "sgp.graph=exponential");

    @TempDir
    Path tmp;

    @Test
    void everyAlgorithmProducesTheSameBitsOnMpjAndOnTheLocalCommunicator() throws Exception {
        int ranks = 6;
        Path mpj = Files.createDirectories(tmp.resolve("mpj"));
        ProgramLauncher.run(Cli.home(), ranks, org.detrain.comm.Transport.MULTICORE, SameBitsProbe.class.getName(), 60, ARGS, mpj,
                new PrintStream(new ByteArrayOutputStream(), true));
        Path local = Files.createDirectories(tmp.resolve("local"));
        String[] args = new String[ARGS.size() + 1];
        args[0] = local.toString();
        for (int k = 0; k < ARGS.size(); k++) {
            args[k + 1] = ARGS.get(k);
        }
        new LocalWorld(ranks, 60).run(new SameBitsProbe(), args);
        for (String algorithm : ALGORITHMS.split(",")) {
            for (int r = 0; r < ranks; r++) {
                String name = algorithm + "-" + r + ".bits";
                List<String> a = Files.readAllLines(mpj.resolve(name));
                List<String> b = Files.readAllLines(local.resolve(name));
                assertEquals(25, a.size(), name);
                assertTrue(a.get(24).split(" ").length == 7, name + ": the loss and 6 model entries per line");
                for (int t = 0; t < a.size(); t++) {
                    assertEquals(a.get(t), b.get(t), name + ": MPJ and the local communicator differ at iteration " + t
                            + " (loss bits, then the model's float bits)");
                }
            }
        }
    }
}
