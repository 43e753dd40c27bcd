package org.detrain.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.detrain.kernel.ComputeDevice;
import org.detrain.kernel.Loops;
import org.detrain.kernel.NetProgram;
import org.detrain.kernel.ReferenceCheck;
import org.detrain.model.Models;
import org.detrain.util.DetrainException;

/**
 * The kernel check and benchmark of one device, for a new machine or driver (a GPU node; the
 * bundle's {@code bin/gpu-check} runs it): every pass of the Aparapi kernel on the device and of the
 * Java engine held against the plain reference ({@link ReferenceCheck}) on random shapes and on
 * softmax, the MLP and LeNet-5 (both input shapes) at each batch size, then {@link Bench} on the
 * device and the Java engine (MLP and LeNet-5 at each batch size, and the mixing step). Writes
 * {@code reference.json} and {@code bench.json} into the output folder; exit code 3 when a check
 * fails (the benchmark still runs), 2 for bad arguments or a device that is not there.
 */
public final class GpuCheck {
    private GpuCheck() {
    }

    static Options options() {
        Options o = new Options();
        o.addOption(Option.builder().longOpt("device").hasArg().argName("DEVICE")
                .desc("the device to check: " + String.join(", ", ComputeDevice.CHOICES) + " (default: gpu)").get());
        o.addOption(Option.builder().longOpt("out").hasArg().argName("DIR").desc("folder for the JSON files (required)").get());
        o.addOption(Option.builder().longOpt("batches").hasArg().argName("LIST").desc("batch sizes (default: 32,128,512)").get());
        o.addOption(Option.builder().longOpt("java-threads").hasArg().argName("LIST")
                .desc("thread counts of the Java engine in the benchmark (default: 1 and every core)").get());
        o.addOption(Option.builder().longOpt("seconds").hasArg().argName("S").desc("length of one timed run (default: 1)").get());
        o.addOption(Option.builder().longOpt("repeats").hasArg().argName("N").desc("timed runs per row (default: 3)").get());
        o.addOption(Option.builder().longOpt("no-bench").desc("check only").get());
        o.addOption(Option.builder("h").longOpt("help").desc("print this help").get());
        return o;
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (Bench.BadArguments e) {
            System.err.println("gpu-check: " + e.getMessage() + " (see --help)");
            code = 2;
        } catch (DetrainException e) {
            System.err.println("gpu-check: " + e.getMessage());
            code = e.exitCode();
        } catch (IOException | RuntimeException e) {
            System.err.println("gpu-check: " + e);
            code = 3;
        }
        System.exit(code); // Aparapi's thread pool is not daemonic
    }

    private static int run(String[] args) throws Bench.BadArguments, IOException {
        CommandLine line;
        try {
            line = new DefaultParser().parse(options(), args);
        } catch (ParseException e) {
            throw new Bench.BadArguments(e.getMessage());
        }
        if (line.hasOption("help")) {
            HelpFormatter help = HelpFormatter.builder().get();
            help.printHelp("GpuCheck --out DIR [options]", options());
            return 0;
        }
        if (!line.hasOption("out")) {
            throw new Bench.BadArguments("--out DIR is required (the folder for reference.json and bench.json)");
        }
        Path out = Path.of(line.getOptionValue("out"));
        String request = line.getOptionValue("device", "gpu");
        int cores = Runtime.getRuntime().availableProcessors();
        List<String> benchArgs = new ArrayList<>(List.of("--devices", request + ",java", "--mix-devices", request + ",java",
                "--models", "mlp,lenet", "--batches", line.getOptionValue("batches", "32,128,512"),
                "--java-threads", line.getOptionValue("java-threads", cores > 1 ? "1," + cores : "1"),
                "--seconds", line.getOptionValue("seconds", "1"), "--repeats", line.getOptionValue("repeats", "3"),
                "--out", out.resolve("bench.json").toString()));
        Bench.Settings settings = Bench.parse(benchArgs.toArray(new String[0])); // validates the shared options
        ComputeDevice device = ComputeDevice.select(request);
        System.out.println("checking " + device.description() + " and the Java engine against the plain reference");

        List<Map<String, Object>> rows = new ArrayList<>();
        boolean ok = true;
        List<ComputeDevice> engines = List.of(device, ComputeDevice.JAVA, ComputeDevice.java(Math.min(cores, 4)));
        for (ComputeDevice engine : engines) {
            for (int batch : settings.batches()) {
                for (Map.Entry<String, NetProgram> e : programs().entrySet()) {
                    ok &= record(rows, e.getKey(), ReferenceCheck.check(e.getValue(), engine, batch, batch, batch * 31L + 7),
                            engine);
                }
            }
            for (Map.Entry<String, NetProgram> e : oddShapes().entrySet()) {
                ok &= record(rows, e.getKey(), ReferenceCheck.check(e.getValue(), engine, 37, 37, 1), engine);
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tool", "detrain gpu-check");
        doc.put("device", device.description());
        doc.put("vector_api", Loops.VECTOR);
        doc.put("java", System.getProperty("java.version"));
        doc.put("end_to_end_tolerance", ReferenceCheck.END_TO_END);
        doc.put("passed", ok);
        doc.put("rows", rows);
        Json.writeFile(out.resolve("reference.json"), doc);
        System.out.println(ok ? "reference check passed" : "REFERENCE CHECK FAILED (see above and reference.json)");
        if (!line.hasOption("no-bench")) {
            Bench.run(settings);
        }
        return ok ? 0 : DetrainException.RUN_FAILED;
    }

    private static Map<String, NetProgram> programs() {
        Map<String, NetProgram> p = new LinkedHashMap<>();
        p.put("softmax 784-10", Models.softmaxProgram(784, 10));
        p.put("mlp 784-128-10", Models.mlpProgram(784, new int[] {128}, 10));
        p.put("lenet 28x28x1", Models.lenetProgram(new int[] {1, 28, 28}, 10));
        p.put("lenet 32x32x3", Models.lenetProgram(new int[] {3, 32, 32}, 10));
        return p;
    }

    /** Shapes the models do not have: a non-square input, narrow layers, both weight layouts (batch 37). */
    private static Map<String, NetProgram> oddShapes() {
        Map<String, NetProgram> p = new LinkedHashMap<>();
        p.put("conv 3x18x14", new NetProgram.Builder(3, 18, 14).conv(5, true).pool().conv(3, true).dense(7, true)
                .dense(4, false).softmaxCrossEntropy());
        p.put("dense 61-33-5", new NetProgram.Builder(1, 1, 61).dense(33, true, 0.3, false).dense(5, false, 0.3, true)
                .softmaxCrossEntropy());
        return p;
    }

    private static boolean record(List<Map<String, Object>> rows, String name, ReferenceCheck.Result r,
                                  ComputeDevice engine) {
        System.out.printf(Locale.ROOT, "%-5s %-14s %-22s batch %4d: pass error/bound %.3f, loss %.1e, gradient %.1e%n",
                r.ok() ? "ok" : "FAIL", name, label(engine), r.batch(), r.worstRatio(), r.lossError(), r.gradientError());
        if (!r.ok()) {
            System.out.println(r);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("program", name);
        row.put("engine", label(engine));
        row.put("engine_description", r.engine());
        row.put("batch", r.batch());
        row.put("ok", r.ok());
        row.put("worst_pass_error_over_bound", r.worstRatio());
        row.put("loss_error", r.lossError());
        row.put("gradient_error", r.gradientError());
        List<Map<String, Object>> passes = new ArrayList<>();
        for (ReferenceCheck.Pass p : r.passes()) {
            Map<String, Object> pass = new LinkedHashMap<>();
            pass.put("pass", p.pass());
            pass.put("op", p.op());
            pass.put("error_over_bound", p.worstRatio());
            if (p.worstRatio() > 1) {
                pass.put("worst", p.worst());
            }
            passes.add(pass);
        }
        row.put("passes", passes);
        rows.add(row);
        return r.ok();
    }

    private static String label(ComputeDevice d) {
        return d.kind() == ComputeDevice.Kind.JAVA ? d.threads() == 1 ? "java" : "java-" + d.threads() + "t" : d.toString();
    }
}
