package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.detrain.io.ExternalTools;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real run's metrics.h5 read outside Java (h5py + matplotlib) and by `detrain report`. */
class PostProcessingIT {
    @TempDir
    static Path results;
    static Path run;
    /** Training loss of the last record, mean over ranks in rank order, read by Java. */
    static double finalLoss;

    @BeforeAll
    static void train() {
        Cli.Result r = Cli.run("train", "--results", results.toString(), "--run-id", "tiny", "-np", "2",
                "--set", "iterations=20", "--set", "log.every=5", "--set", "eval.every=10");
        assertEquals(0, r.exitCode(), r.all());
        run = results.resolve("tiny");
        double[][] loss = Hdf5Files.read(run.resolve("metrics.h5")).getGroup("metrics").getDataset("train_loss", double[][].class);
        assertEquals(4, loss.length);
        finalLoss = (loss[3][0] + loss[3][1]) / 2;
    }

    @Test
    void pythonExamplePlotsTheLossCurveWithMatplotlib() throws Exception {
        Path png = results.resolve("loss.png");
        ExternalTools.Result r = ExternalTools.pythonScript(Cli.home().resolve("docs/examples/plot_loss.py"),
                run.resolve("metrics.h5").toString(), png.toString()).assertSuccess();
        Matcher m = Pattern.compile("tiny: 4 records, final training loss (\\S+) at epoch (\\S+) -> ").matcher(r.stdout());
        assertTrue(m.find(), r.stdout());
        assertEquals(finalLoss, Double.parseDouble(m.group(1)), 1e-12 * Math.abs(finalLoss), "h5py reads what Java wrote");
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(600, image.getWidth());   // figsize 6 x 4 inches at 100 dpi
        assertEquals(400, image.getHeight());
        int curve = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == 0x1F77B4) { // matplotlib's first line colour
                    curve++;
                }
            }
        }
        assertTrue(curve > 100, "the curve is drawn (" + curve + " pixels)");
    }

    @Test
    void readMetricsScriptPlotsToo() throws Exception {
        Path png = results.resolve("curves.png");
        ExternalTools.pythonScript(Cli.home().resolve("docs/examples/read_metrics.py"), run.resolve("metrics.h5").toString(),
                "--plot", png.toString()).assertSuccess();
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(1200, image.getWidth()); // 10 x 4 inches at 120 dpi
        assertEquals(480, image.getHeight());
    }

    @Test
    void reportOnARealRun() throws Exception {
        Cli.Result r = Cli.run("report", run.toString());
        assertEquals(0, r.exitCode(), r.all());
        Path report = run.resolve("report");
        for (String name : List.of("report.md", "summary.csv", "loss_vs_epoch.png", "loss_vs_time.png", "accuracy_vs_epoch.png",
                "accuracy_vs_time.png", "consensus_vs_iteration.png", "accuracy_spread_vs_epoch.png")) {
            assertTrue(Files.size(report.resolve(name)) > 100, name);
        }
        List<String> csv = Files.readAllLines(report.resolve("summary.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        String[] row = csv.get(1).split(",");
        java.util.function.Function<String, String> cell = name -> row[header.indexOf(name)];
        assertEquals("D-PSGD", cell.apply("line"));
        assertEquals("tiny", cell.apply("run_ids"));
        assertEquals("20", cell.apply("iterations"));
        assertEquals(finalLoss, Double.parseDouble(cell.apply("final_loss")));
        H5Group root = Hdf5Files.read(run.resolve("metrics.h5"));
        double[] objective = root.getGroup("metrics").getDataset("train_objective", double[].class);
        assertEquals(objective[objective.length - 1], Double.parseDouble(cell.apply("final_objective")));
        double[] accuracy = root.getGroup("metrics").getDataset("test_accuracy", double[].class);
        assertEquals(Math.max(accuracy[0], accuracy[1]), Double.parseDouble(cell.apply("best_accuracy")));
        double[][] bytes = root.getGroup("metrics").getDataset("bytes_sent", double[][].class);
        assertEquals((long) (bytes[3][0] + bytes[3][1]), Long.parseLong(cell.apply("bytes_sent")));
        assertTrue(bytes[3][0] > 0, "ranks sent something");
    }
}
