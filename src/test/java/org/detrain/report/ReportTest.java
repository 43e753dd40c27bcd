package org.detrain.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.detrain.cli.Main;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** detrain report on small generated results: files, plot sizes and pixels, table values against the inputs. */
class ReportTest {
    private static final int BLUE = 0x0072B2;   // palette colour of the first line (D-PSGD)
    private static final int ORANGE = 0xD55E00; // palette colour of the second line (DeTAG)

    @TempDir
    static Path shared;
    /** A study-1-like sweep: shuffled 100 and 0, D-PSGD and DeTAG, seeds 1 and 2 (8 runs). */
    static Path sweep;

    @TempDir
    Path dir;

    @BeforeAll
    static void writeSweep() throws IOException {
        sweep = shared.resolve("job-17");
        // Task directories as a Slurm array would name them; the tree is walked, names do not matter.
        new FakeRun("dpsgd", "100", 1).loss(2.0, 1.5, 1.0, 0.75).accuracy(0.5, 0.75).write(sweep, "t0");
        FakeRun slow = new FakeRun("dpsgd", "100", 2).loss(2.0, 1.5, 1.25, 0.25).accuracy(0.625, 0.5);
        slow.lastWallTime = 6.0;
        slow.write(sweep, "t1");
        new FakeRun("detag", "100", 1).loss(2.0, 1.0, 0.5, 0.25).write(sweep, "t2");
        new FakeRun("detag", "100", 2).loss(2.0, 1.0, 0.5, 0.25).write(sweep, "t3");
        new FakeRun("dpsgd", "0", 1).loss(2.5, 2.25, 2.0, 1.75).accuracy(0.25, 0.5).write(sweep, "t4");
        new FakeRun("dpsgd", "0", 2).loss(2.5, 2.25, 2.0, 1.75).accuracy(0.25, 0.5).write(sweep, "t5");
        new FakeRun("detag", "0.0", 1).loss(2.0, 1.25, 1.0, 0.5).write(sweep, "nested/t6"); // "0.0" is "0"
        new FakeRun("detag", "0", 2).loss(2.0, 1.5, 1.0, 0.5).write(sweep, "nested/t7");
        Files.writeString(sweep.resolve("summary.txt"), "a sweep's own summary file, ignored\n");
    }

    private static Report.Outcome report(Path out, Double target, Path... inputs) {
        // PNG only: the vector formats cost time and have tests of their own
        return Report.run(new Report.Options(Stream.of(inputs).map(Path::toString).toList(), out, target, null, null,
                List.of(FigureFiles.PNG), null), new PrintStream(new ByteArrayOutputStream()));
    }

    @Test
    void sweepGivesOnePanelPerShuffledFractionAndOneLinePerAlgorithm() throws IOException {
        Path out = dir.resolve("report");
        Report.Outcome o = Report.run(new Report.Options(List.of(sweep.toString()), out, null, null, null),
                new PrintStream(new ByteArrayOutputStream())); // the default formats: PNG and PDF
        assertEquals(List.of("partition.shuffled"), o.sweep().panelKeys());
        assertEquals(List.of("algorithm"), o.sweep().lineKeys());
        assertEquals(List.of("100", "0"), o.sweep().panels().stream().map(p -> p.key().get("partition.shuffled")).toList());
        for (RunGroups.Panel p : o.sweep().panels()) {
            assertEquals(List.of("D-PSGD", "DeTAG"), p.lines().stream().map(RunGroups.Line::label).toList());
            assertEquals(List.of("1", "2"), p.lines().get(0).seeds());
        }
        for (String name : List.of("loss_vs_epoch", "loss_vs_time", "accuracy_vs_epoch", "accuracy_vs_time",
                "consensus_vs_iteration", "accuracy_spread_vs_epoch")) {
            assertTrue(Files.isRegularFile(out.resolve(name + ".png")), name + ".png written");
            assertTrue(Files.readString(out.resolve(name + ".pdf"), StandardCharsets.ISO_8859_1).startsWith("%PDF-"),
                    name + ".pdf written");
        }
        for (String name : List.of("report.md", "summary.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(name)), name + " written");
        }
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(14, files.count(), "nothing else in the report directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no staging directory left behind");
        }
    }

    @Test
    void plotsHaveOnePanelPerShuffledFractionAndTheAlgorithmsColours() throws IOException {
        Path out = dir.resolve("report");
        Report.Outcome o = report(out, null, sweep);
        for (Figure f : Figure.standard()) {
            if (!List.of("loss_vs_epoch", "accuracy_vs_time", "consensus_vs_iteration").contains(f.name())) {
                continue;
            }
            String name = f.name() + ".png";
            FigureCanvas canvas = new FigureCanvas(f, o.sweep(), LineStyles.of(o.sweep()));
            BufferedImage image = ImageIO.read(out.resolve(name).toFile());
            assertEquals(pixels(2 * FigureCanvas.PANEL_WIDTH + 2 * FigureCanvas.MARGIN), image.getWidth(), name);
            assertEquals(pixels(canvas.height()), image.getHeight(), name);
            Map<Integer, Integer> colours = histogram(image);
            int white = colours.getOrDefault(0xFFFFFF, 0);
            assertTrue(white < 0.97 * image.getWidth() * image.getHeight(), name + " is not blank");
            assertTrue(white > 0.5 * image.getWidth() * image.getHeight(), name + " has a white background");
            // Both panels draw both lines: each colour inside the left and inside the right panel (the legend is below them).
            for (int colour : new int[] {BLUE, ORANGE}) {
                for (int p = 0; p < 2; p++) {
                    assertTrue(count(image, colour, canvas.panelBounds(p)) > 50, name + " panel " + p + " has "
                            + Integer.toHexString(colour));
                }
            }
            assertEquals(List.of("D-PSGD (2 seeds)", "DeTAG (2 seeds)"), canvas.legendLabels(), "one legend per figure");
            assertTrue(canvas.panelBounds(0).getMaxY() < canvas.height() - 20, "the legend is below the panels");
        }
    }

    @Test
    void seedsAreDistinctSeedsAndTheBandSpansThem() throws IOException {
        Path runs = dir.resolve("dup");
        // seed 1 twice (the same experiment run twice), seed 2 once
        new FakeRun("dpsgd", "100", 1).loss(2.0, 1.0, 0.5, 0.25).write(runs, "a");
        new FakeRun("dpsgd", "100", 1).loss(2.0, 1.0, 0.5, 0.25).write(runs, "b");
        new FakeRun("dpsgd", "100", 2).loss(2.0, 1.5, 1.0, 0.75).write(runs, "c");
        Report.Outcome o = report(dir.resolve("out"), null, runs);
        RunGroups.Line line = o.sweep().lines().get(0);
        assertEquals(List.of("1", "2"), line.seeds());
        Band b = Band.of(line.runs(), RunResult::epoch, RunResult::trainLoss);
        assertEquals(2, b.seeds());
        assertEquals(3, b.runs());
        assertEquals(0.5, b.mean()[3], 1e-12, "mean over the two seeds, not the three runs");
        assertEquals(0.25, b.min()[3]);
        assertEquals(0.75, b.max()[3]);
        assertEquals(2, o.rows().get(0).seeds());
        assertEquals(Math.sqrt(0.125), o.rows().get(0).finalLoss()[1], 1e-12, "sd over two seeds");
        String md = Files.readString(dir.resolve("out/report.md"));
        assertContains(md, "3 runs of 2 seed(s) [1, 2]; runs of one seed are averaged and count as one seed");
        assertContains(md, "| D-PSGD | 2 | 40 | 1 | 0.5 ± 0.35 |");
    }

    @Test
    void aFigureHasOneScaleAndLogTicksOnlyAtDecades() throws IOException {
        Path runs = dir.resolve("scale");
        // one panel spans two decades, the other less than one: both get the log axis, with the same range
        new FakeRun("dpsgd", "100", 1).loss(2.0, 0.5, 0.1, 0.01).write(runs, "wide");
        new FakeRun("dpsgd", "0", 1).loss(2.0, 1.8, 1.6, 1.5).write(runs, "narrow");
        Report.Outcome o = report(dir.resolve("out"), null, runs);
        Figure loss = Figure.standard().stream().filter(f -> f.name().equals("loss_vs_epoch")).findFirst().orElseThrow();
        FigureCanvas canvas = new FigureCanvas(loss, o.sweep(), LineStyles.of(o.sweep()));
        assertTrue(canvas.logY());
        // the mean over ranks runs from 0.01 to 2: whole decades 10^-2 .. 10^1 in both panels
        assertEquals(List.of(-2.0, 1.0), List.of(canvas.yRange()[0], canvas.yRange()[1]));
        assertEquals("0.01", FigureCanvas.decade(-2));
        assertEquals("1000", FigureCanvas.decade(3));
        assertEquals("10⁻⁵", FigureCanvas.decade(-5));
        assertEquals("10⁶", FigureCanvas.decade(6));
        assertEquals("", FigureCanvas.decade(-1.5), "no label between decades");
        assertEquals("3", FigureCanvas.wholeNumber(3.0000000001));
        assertEquals("", FigureCanvas.wholeNumber(0.234), "epochs are labelled at whole numbers only");
        assertTrue(canvas.markers(), "four points per line: markers");
    }

    @Test
    void aSinglePointGetsAnAxisAroundItThatStaysOnItsSideOfZero() throws IOException {
        // a one-epoch run (the quickstart) evaluates once: its accuracy figures have one point each
        Path runs = dir.resolve("one-eval");
        FakeRun one = new FakeRun("dpsgd", "100", 1).accuracy(0.79);
        one.localSpread = 0.05;
        one.write(runs, "one");
        Report.Outcome o = report(dir.resolve("out"), null, runs);
        for (String name : List.of("accuracy_vs_epoch", "accuracy_spread_vs_epoch")) {
            Figure f = Figure.standard().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
            FigureCanvas canvas = new FigureCanvas(f, o.sweep(), LineStyles.of(o.sweep()));
            double[] range = canvas.yRange();
            double value = name.startsWith("accuracy_spread") ? 0.05 : 0.79;
            assertTrue(range[0] < value && value < range[1], name + ": the point inside " + Arrays.toString(range));
            // an accuracy of 1.29 or a spread of -0.45 on the axis: a reviewer asks what that means
            assertTrue(range[0] >= 0 && range[1] <= 1, name + ": " + Arrays.toString(range) + " within [0, 1]");
        }
    }

    @Test
    void colourDoNotRepeatAndVariantsAreShadesOfTheirAlgorithm() throws IOException {
        Path runs = dir.resolve("many");
        List<String> algorithms = List.of("dpsgd", "d2", "dsgt", "sgp", "detag", "defacto", "allreduce", "x1", "x2", "x3");
        for (String a : algorithms) {
            new FakeRun(a, "100", 1).write(runs, a);
        }
        for (String lr : List.of("0.05", "0.2")) {
            new FakeRun("dpsgd", "100", 1).set("lr", lr).write(runs, "dpsgd-" + lr);
        }
        Report.Outcome o = report(dir.resolve("out"), null, runs);
        Map<Integer, LineStyles.Style> styles = LineStyles.of(o.sweep());
        assertEquals(12, styles.size());
        assertEquals(12, styles.values().stream().map(LineStyles.Style::colour).distinct().count(), "no colour twice");
        List<RunGroups.Line> dpsgd = o.sweep().lines().stream().filter(l -> l.key().get("algorithm").equals("dpsgd")).toList();
        assertEquals(3, dpsgd.size());
        for (RunGroups.Line l : dpsgd) {
            java.awt.Color c = styles.get(l.identity()).colour();
            float[] hsb = java.awt.Color.RGBtoHSB(c.getRed(), c.getGreen(), c.getBlue(), null);
            float[] base = java.awt.Color.RGBtoHSB(0, 114, 178, null);
            assertEquals(base[0], hsb[0], 0.03, "a shade of D-PSGD's blue: " + c);
        }
        assertEquals(3, dpsgd.stream().map(l -> java.util.Arrays.toString(styles.get(l.identity()).dash())).distinct()
                .count(), "and each its own dash pattern");
    }

    @Test
    void anAlgorithmsOwnKeysLabelOnlyItsLines() throws IOException {
        Path runs = dir.resolve("own");
        new FakeRun("dpsgd", "100", 1).set("detag.R", "auto").write(runs, "dpsgd");
        new FakeRun("detag", "100", 1).set("detag.R", "auto").write(runs, "detag-auto");
        new FakeRun("detag", "100", 1).set("detag.R", "1").write(runs, "detag-1");
        Report.Outcome o = report(dir.resolve("out"), null, runs);
        assertEquals(List.of("D-PSGD", "DeTAG, detag.R=1", "DeTAG, detag.R=auto"),
                o.sweep().lines().stream().map(RunGroups.Line::label).sorted().toList());
    }

    @Test
    void zerosDoNotStopALogAxisTheyAreLeftOutAndSaidSo() throws IOException {
        Path runs = dir.resolve("zeros");
        // AllReduce's models are identical: its consensus distance is exactly 0 at every record
        FakeRun exact = new FakeRun("allreduce", "100", 1).loss(2.0, 1.0, 0.5, 0.25);
        exact.consensusDistance = new double[] {0, 0, 0, 0};
        exact.write(runs, "allreduce");
        FakeRun gossip = new FakeRun("dpsgd", "100", 1).loss(2.0, 1.0, 0.5, 0.25);
        gossip.consensusDistance = new double[] {40, 0.5, 0.02, 0.001};
        gossip.write(runs, "dpsgd");
        Report.Outcome o = report(dir.resolve("out"), null, runs);
        Figure consensus = Figure.standard().stream().filter(f -> f.name().equals("consensus_vs_iteration")).findFirst()
                .orElseThrow();
        FigureCanvas canvas = new FigureCanvas(consensus, o.sweep(), LineStyles.of(o.sweep()));
        assertTrue(canvas.logY(), "five decades of D-PSGD are not drawn on a linear axis because of AllReduce's zeros");
        assertEquals(List.of(-3.0, 2.0), List.of(canvas.yRange()[0], canvas.yRange()[1]));
        double[][] drawn = FigureCanvas.positive(new double[] {1, 2, 3}, new double[] {0, 0.5, 0});
        assertEquals(List.of(2.0), java.util.Arrays.stream(drawn[0]).boxed().toList());
        assertEquals(List.of(0.001, 0.001, 2.0), java.util.Arrays.stream(FigureCanvas.floorAt(new double[] {0, 1e-9, 2}, 0.001))
                .boxed().toList());
    }

    @Test
    void longTitlesWrapAndAreNeverCutOff() {
        String title = "Per-rank test accuracy spread (max − min over the ranks' own models) vs epoch, a title longer"
                + " than one panel is wide";
        java.awt.Font font = new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 14);
        List<String> lines = FigureCanvas.wrap(title, font, FigureCanvas.PANEL_WIDTH);
        assertTrue(lines.size() >= 2, lines.toString());
        assertEquals(title, String.join(" ", lines), "every word kept");
        for (String l : lines) {
            assertTrue(FigureCanvas.textWidth(l, font) <= FigureCanvas.PANEL_WIDTH, l);
        }
    }

    @Test
    void vectorFiguresAndTheObjectiveAndOptimumDistanceWhenRecorded() throws IOException {
        Path runs = dir.resolve("lsq");
        FakeRun r = new FakeRun("dpsgd", "100", 1).accuracy(Double.NaN, Double.NaN);
        r.localSpread = Double.NaN;
        r.optimumDistance = new double[] {1, 0.1, 0.01, 0.001};
        r.objective = new double[] {1.5, 0.5};
        r.write(runs, "r");
        Path out = dir.resolve("out");
        Report.run(new Report.Options(List.of(runs.toString()), out, null, null, null, Report.formats("svg,pdf,png"), null),
                new PrintStream(new ByteArrayOutputStream()));
        for (String name : List.of("optimum_distance_vs_iteration", "objective_vs_epoch", "objective_vs_time")) {
            assertTrue(Files.isRegularFile(out.resolve(name + ".png")), name);
            assertTrue(Files.readString(out.resolve(name + ".svg")).contains("<svg"), name + ".svg");
            String pdf = Files.readString(out.resolve(name + ".pdf"), StandardCharsets.ISO_8859_1);
            assertTrue(pdf.startsWith("%PDF-"), name + ".pdf");
        }
        String md = Files.readString(out.resolve("report.md"));
        assertContains(md, "![Distance to the optimum ‖x̄ − x*‖ / ‖x*‖ vs iteration](optimum_distance_vs_iteration.png)");
        assertContains(md, "Also as [PDF](objective_vs_epoch.pdf), [SVG](objective_vs_epoch.svg).");
        assertContains(md, "| final training loss | final f(x̄) |");
        assertContains(md, "| 0.5 | 0.5 |");
        assertContains(assertThrows(DetrainException.class, () -> Report.formats("png,eps")).getMessage(),
                "'eps' is not a figure format");
    }

    @Test
    void aLonePointGetsAMarkerSoItIsSeen() throws IOException {
        Path runs = dir.resolve("short");
        new FakeRun("dpsgd", "100", 1).accuracy(0.5).write(runs, "one-eval");
        Report.Outcome o = report(dir.resolve("out"), null, runs);
        Figure accuracy = Figure.standard().stream().filter(f -> f.name().equals("accuracy_vs_epoch")).findFirst()
                .orElseThrow();
        FigureCanvas canvas = new FigureCanvas(accuracy, o.sweep(), LineStyles.of(o.sweep()));
        BufferedImage image = ImageIO.read(dir.resolve("out/accuracy_vs_epoch.png").toFile());
        assertTrue(count(image, BLUE, canvas.panelBounds(0)) > 20, "the one evaluation is drawn");
    }

    @Test
    void runsThatLeftNoMetricsAreListed() throws IOException {
        Path runs = dir.resolve("withfailure");
        new FakeRun("dpsgd", "100", 1).write(runs, "ok");
        Path failed = Files.createDirectories(runs.resolve("broken/status"));
        Files.writeString(runs.resolve("broken/run.properties"), "run_id=broken\n");
        Files.writeString(failed.resolve("rank-0.failed"), "rank 0: the training loss is NaN at iteration 7; lower lr\n");
        report(dir.resolve("out"), null, runs);
        String md = Files.readString(dir.resolve("out/report.md"));
        assertContains(md, "### Runs without results");
        assertContains(md, "| `../withfailure/broken` | diverged | rank 0: the training loss is NaN at iteration 7; lower lr |");
    }

    @Test
    void tableValuesComeFromTheInputs() throws IOException {
        Path out = dir.resolve("report");
        Report.Outcome o = report(out, null, sweep);
        // The default target is the highest final loss of any run: D-PSGD at 0 % ends at 1.75.
        assertEquals(1.75, o.targetLoss());
        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertEquals("partition.shuffled,line,seeds,run_ids,iterations,epochs,final_loss,final_loss_sd,final_objective,"
                + "final_objective_sd,best_accuracy,"
                + "best_accuracy_sd,time_s,time_s_sd,bytes_sent,target_loss,iterations_to_target,seeds_reaching_target,"
                + "spectral_gap", csv.get(0));
        // D-PSGD at 100 %: final losses 0.75 and 0.25 (mean 0.5, sd sqrt(0.125)); best accuracies 0.75 and 0.625;
        // times 4 and 6; 1 MB + 2 MB sent; both first at or below 1.75 at iteration 20.
        assertEquals(List.of("100", "D-PSGD", "2", "t0 t1", "40", "1.0", "0.5", Double.toString(Math.sqrt(0.125)), "", "",
                "0.6875", Double.toString(Math.sqrt(2 * 0.0625 * 0.0625)), "5.0", Double.toString(Math.sqrt(2.0)),
                "3000000", "1.75", "20.0", "2", "0.5"), List.of(csv.get(1).split(",")));
        assertTrue(csv.get(2).startsWith("100,DeTAG,2,t2 t3,40,1.0,0.25,0.0,,,0.75,0.0,4.0,0.0,3000000,1.75,20.0,2,"), csv.get(2));
        assertTrue(csv.get(3).startsWith("0,D-PSGD,2,t4 t5,40,1.0,1.75,0.0,,,0.5,0.0,4.0,0.0,3000000,1.75,40.0,2,"), csv.get(3));
        assertTrue(csv.get(4).startsWith("0,DeTAG,2,t6 t7,40,1.0,0.5,0.0,,,"), csv.get(4));
        assertEquals(5, csv.size());

        String md = Files.readString(out.resolve("report.md"));
        assertContains(md, "| shuffled (%) | algorithm | seeds | iterations | epochs | final training loss | best test accuracy"
                + " | training time (s) | bytes sent | iterations to loss ≤ 1.75 | 1−λ |\n");
        assertContains(md, "| 100 | D-PSGD | 2 | 40 | 1 | 0.5 ± 0.35 | 0.6875 ± 0.088 | 5 ± 1.4 | 3 MB | 20 ± 0 | 0.5 |\n");
        assertContains(md, "| 0 | DeTAG | 2 | 40 | 1 | 0.5 ± 0 | 0.75 ± 0 | 4 ± 0 | 3 MB | 20 ± 0 | 0.5 |\n");
        assertContains(md, "![Training loss vs epoch](loss_vs_epoch.png)");
        assertContains(md, "| t6 | complete | 0 | DeTAG | 1 | `");
        assertContains(md, "job-17/nested/t6/metrics.h5` |\n");
    }

    @Test
    void targetLossCountsSeedsThatNeverReachIt() throws IOException {
        Path out = dir.resolve("report");
        report(out, 1.0, sweep);
        String md = Files.readString(out.resolve("report.md"));
        // D-PSGD 100 %: seed 1 at 1.0 at iteration 30, seed 2 (1.25, then 0.25) at 40.
        assertContains(md, "| 100 | D-PSGD | 2 | 40 | 1 | 0.5 ± 0.35 | 0.6875 ± 0.088 | 5 ± 1.4 | 3 MB | 35 ± 7.1 | 0.5 |\n");
        // D-PSGD 0 % ends at 1.75.
        assertContains(md, "| 0 | D-PSGD | 2 | 40 | 1 | 1.75 ± 0 | 0.5 ± 0 | 4 ± 0 | 3 MB | not reached | 0.5 |\n");
        assertContains(md, "(`--target-loss`)");
    }

    @Test
    void aSingleRunGoesToItsOwnReportDirectoryWithOnePanel() throws IOException {
        Path run = new FakeRun("dpsgd", "100", 1).write(dir, "quickstart-1");
        Report.Outcome o = report(null, null, run);
        assertEquals(run.resolve("report").toAbsolutePath(), o.dir());
        BufferedImage image = ImageIO.read(run.resolve("report/loss_vs_epoch.png").toFile());
        assertEquals(pixels(FigureCanvas.PANEL_WIDTH + 2 * FigureCanvas.MARGIN), image.getWidth());
        Figure loss = Figure.standard().stream().filter(f -> f.name().equals("loss_vs_epoch")).findFirst().orElseThrow();
        assertTrue(count(image, BLUE, new FigureCanvas(loss, o.sweep(), LineStyles.of(o.sweep())).panelBounds(0)) > 50,
                "the line is drawn");
        String md = Files.readString(run.resolve("report/report.md"));
        assertContains(md, "| 1 | 40 | 1 | 0.5 | 0.75 | 4 | 3 MB | 40 | 0.5 |\n");
        // The metrics.h5 itself works as an input too, and reports to the same place.
        assertEquals(run.resolve("report").toAbsolutePath(), report(null, null, run.resolve("metrics.h5")).dir());
    }

    @Test
    void kappaSweepPanelsDescendAndShowTheGap() throws IOException {
        double[] kappas = {0.01, 1, 0.1};
        for (double k : kappas) {
            FakeRun r = new FakeRun("dpsgd", "100", 1).set("weights.kappa", Double.toString(k));
            r.spectralGap = 0.038 * k;
            r.write(dir.resolve("kappa"), "k" + k);
        }
        Report.Outcome o = report(dir.resolve("out"), null, dir.resolve("kappa"));
        assertEquals(List.of("weights.kappa"), o.sweep().panelKeys());
        assertEquals(List.of("κ = 1 (1−λ = 0.038)", "κ = 0.1 (1−λ = 0.0038)", "κ = 0.01 (1−λ = 3.8e-4)"),
                o.sweep().panels().stream().map(RunGroups.Panel::title).toList());
        BufferedImage image = ImageIO.read(dir.resolve("out/loss_vs_epoch.png").toFile());
        assertEquals(pixels(3 * FigureCanvas.PANEL_WIDTH + 2 * FigureCanvas.MARGIN), image.getWidth());
    }

    @Test
    void aStepSizeGridInsideOneAlgorithmSplitsLinesInsteadOfAveragingThem() throws IOException {
        Path grid = dir.resolve("grid");
        new FakeRun("dpsgd", "100", 1).set("lr", "0.01").write(grid, "a");
        new FakeRun("dpsgd", "100", 1).set("lr", "0.001").write(grid, "b");
        new FakeRun("detag", "100", 1).set("lr", "0.01").write(grid, "c");
        Report.Outcome o = report(dir.resolve("out"), null, grid);
        assertEquals(List.of("algorithm", "lr"), o.sweep().lineKeys());
        assertEquals(List.of("D-PSGD, lr=0.001", "D-PSGD, lr=0.01", "DeTAG, lr=0.01"),
                o.sweep().lines().stream().map(RunGroups.Line::label).toList());
        assertContains(Files.readString(dir.resolve("out/report.md")), "lines are also split by `lr`");
    }

    @Test
    void regressionRunsLeaveOutTheAccuracyPlotsAndStalePlotsAreRemoved() throws IOException {
        Path out = dir.resolve("report");
        report(out, null, sweep);
        Files.writeString(out.resolve("accuracy_vs_epoch.pdf"), "from an earlier report in PDF");
        assertTrue(Files.exists(out.resolve("accuracy_vs_epoch.png")));
        Path lsq = dir.resolve("lsq");
        FakeRun r = new FakeRun("dpsgd", "100", 1).accuracy(Double.NaN, Double.NaN);
        r.localSpread = Double.NaN;
        r.write(lsq, "r");
        report(out, null, lsq);
        for (String gone : List.of("accuracy_vs_epoch.png", "accuracy_vs_time.png", "accuracy_spread_vs_epoch.png",
                "accuracy_vs_epoch.pdf")) {
            assertFalse(Files.exists(out.resolve(gone)), gone + " of the earlier report removed");
        }
        assertTrue(Files.exists(out.resolve("loss_vs_epoch.png")));
        String md = Files.readString(out.resolve("report.md"));
        assertContains(md, "| 1 | 40 | 1 | 0.5 | — |");
        assertContains(md, "*Test accuracy of the averaged model vs epoch*: no run recorded this");
    }

    @Test
    void incompleteRunsAreNamed() throws IOException {
        FakeRun r = new FakeRun("dpsgd", "100", 1);
        r.status = "running";
        Path run = r.write(dir, "half");
        report(null, null, run);
        assertContains(Files.readString(run.resolve("report/report.md")), "running: half (still running, or killed");
    }

    @Test
    void badInputWritesNothing() throws IOException {
        Path out = dir.resolve("report");
        DetrainException missing = assertThrows(DetrainException.class, () -> report(out, null, dir.resolve("nope")));
        assertContains(missing.getMessage(), "does not exist: pass a run directory");

        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertContains(assertThrows(DetrainException.class, () -> report(out, null, empty)).getMessage(),
                "no metrics.h5 below");

        Path notMetrics = Files.createDirectories(dir.resolve("other"));
        Hdf5Files.writeAtomically(notMetrics.resolve("metrics.h5"), new H5Group().attr("x", 1L));
        assertContains(assertThrows(DetrainException.class, () -> report(out, null, sweep, notMetrics)).getMessage(),
                "has no /metrics group");

        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("metrics.h5"), "not hdf5");
        assertContains(assertThrows(DetrainException.class, () -> report(out, null, broken)).getMessage(),
                broken.resolve("metrics.h5").toString());

        assertContains(assertThrows(DetrainException.class,
                () -> Report.run(new Report.Options(List.of(sweep.toString()), out, null, null, List.of("nosuchkey")),
                        new PrintStream(new ByteArrayOutputStream()))).getMessage(),
                "--line-by names 'nosuchkey', which no run's /config records: use one of the keys that vary:");
        assertContains(assertThrows(DetrainException.class, () -> report(null, null, sweep, sweep)).getMessage(),
                "pass --out DIR");
        assertContains(assertThrows(DetrainException.class, () -> report(out, -1.0, sweep)).getMessage(),
                "--target-loss must be a positive number");
        assertFalse(Files.exists(out), "nothing written");
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no staging left");
        }
    }

    @Test
    void commandLineRunsTheReportAndExitsTwoOnBadInput() throws IOException {
        Path out = dir.resolve("cli");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = Main.run(new String[] {"report", sweep.toString(), "--out", out.toString(), "--target-loss", "1"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(0, code, stderr.toString(StandardCharsets.UTF_8));
        String printed = stdout.toString(StandardCharsets.UTF_8);
        assertContains(printed, "report: 8 run(s) in 2 panel(s), 4 line(s); panels by partition.shuffled; lines by algorithm");
        assertContains(printed, "| 0 | D-PSGD | 2 | 40 | 1 | 1.75 ± 0 |");
        assertTrue(Files.exists(out.resolve("report.md")));

        stderr.reset();
        code = Main.run(new String[] {"report", dir.resolve("nope").toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertContains(stderr.toString(StandardCharsets.UTF_8), "detrain: " + dir.resolve("nope") + " does not exist");
        code = Main.run(new String[] {"report", sweep.toString(), "--target-loss", "low"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertFalse(Files.exists(sweep.resolve("report")));
    }

    private static Map<Integer, Integer> histogram(BufferedImage image) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                counts.merge(image.getRGB(x, y) & 0xFFFFFF, 1, Integer::sum);
            }
        }
        return counts;
    }

    /** Pixels of an image of {@code points} points. */
    private static int pixels(double points) {
        return (int) Math.ceil(points * FigureFiles.PNG_SCALE);
    }

    /** Pixels of colour {@code rgb} inside {@code area} (in points). */
    private static int count(BufferedImage image, int rgb, java.awt.geom.Rectangle2D area) {
        int n = 0;
        for (int y = (int) (area.getMinY() * FigureFiles.PNG_SCALE); y < Math.min(image.getHeight(),
                (int) (area.getMaxY() * FigureFiles.PNG_SCALE)); y++) {
            for (int x = (int) (area.getMinX() * FigureFiles.PNG_SCALE); x < Math.min(image.getWidth(),
                    (int) (area.getMaxX() * FigureFiles.PNG_SCALE)); x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private static void assertContains(String text, String expected) {
        assertTrue(text.contains(expected), "expected\n" + expected + "\nin\n" + text);
    }
}
