package org.detrain.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.io.H5Group;
import org.detrain.io.Hdf5Files;
import org.detrain.kernel.ComputeDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device control on real MPJ ranks: under the multicore device (ranks are threads of one JVM, each
 * with its own class loader) every rank of a device=cpu run really runs its kernels on OpenCL, as
 * recorded per rank in metrics.h5; a device that is absent is a clear error before anything runs.
 */
class DeviceIT {
    @TempDir
    Path results;

    private Cli.Result train(String runId, String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--results", results.toString(), "--run-id", runId));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private static String[] devices(H5Group h) {
        return h.getAttribute("compute_devices", String[].class);
    }

    @Test
    void everyRankOfAMulticoreRunRunsOnOpenCl() {
        assumeTrue(!ComputeDevice.listOpenCl().isEmpty(), "SKIPPED: no OpenCL platform (install pocl-opencl-icd: make deps)");
        String expected = ComputeDevice.select("cpu").description();
        String[] common = {"-np", "4", "--transport", "multicore", "--set", "model=mlp", "--set", "model.hidden=16",
                "--set", "iterations=20", "--set", "log.every=10", "--set", "eval.every=20", "--set", "eval.local=false"};
        Cli.Result r = train("cl", concat(common, "--set", "device=cpu"));
        assertEquals(0, r.exitCode(), r.all());
        H5Group h = Hdf5Files.read(results.resolve("cl").resolve("metrics.h5"));
        String[] devices = devices(h);
        assertEquals(4, devices.length);
        for (int rank = 0; rank < 4; rank++) {
            assertTrue(devices[rank].startsWith("opencl:cpu:"), "rank " + rank + " ran on " + devices[rank]);
            assertEquals(expected, devices[rank], "rank " + rank);
        }
        // the same run on the Java reference: the same losses up to float32 rounding
        Cli.Result j = train("java", concat(common, "--set", "device=java"));
        assertEquals(0, j.exitCode(), j.all());
        H5Group hj = Hdf5Files.read(results.resolve("java").resolve("metrics.h5"));
        double[][] loss = h.getGroup("metrics").getDataset("train_loss", double[][].class);
        double[][] lossJava = hj.getGroup("metrics").getDataset("train_loss", double[][].class);
        for (int rec = 0; rec < loss.length; rec++) {
            for (int rank = 0; rank < 4; rank++) {
                assertEquals(lossJava[rec][rank], loss[rec][rank], 1e-4 * Math.abs(lossJava[rec][rank]),
                        "record " + rec + " rank " + rank);
            }
        }
        assertEquals(hj.getGroup("metrics").getDataset("test_accuracy", double[].class)[0],
                h.getGroup("metrics").getDataset("test_accuracy", double[].class)[0], 2e-3);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void javaThreadPoolRanksRecordJtp() {
        Cli.Result r = train("jtp", "-np", "2", "--set", "device=jtp", "--set", "iterations=4", "--set", "log.every=2",
                "--set", "eval.every=4", "--set", "eval.local=false");
        assertEquals(0, r.exitCode(), r.all());
        String[] devices = devices(Hdf5Files.read(results.resolve("jtp").resolve("metrics.h5")));
        assertEquals(List.of("jtp", "jtp"), List.of(devices));
    }

    @Test
    void devicesListsOpenClAndChecksItAgainstJava() {
        assumeTrue(!ComputeDevice.listOpenCl().isEmpty(), "SKIPPED: no OpenCL platform (install pocl-opencl-icd: make deps)");
        Cli.Result list = Cli.run("devices");
        assertEquals(0, list.exitCode(), list.all());
        assertTrue(list.out().contains("cpu    opencl:cpu:"), list.all());
        assertTrue(list.out().contains("auto   opencl:"), list.all());
        Cli.Result check = Cli.run("devices", "--check", "cpu");
        assertEquals(0, check.exitCode(), check.all());
        assertTrue(check.out().contains("lenet 32x32x3") && check.out().contains("check passed"), check.all());
        assertFalse(check.out().contains("MISMATCH"), check.all());
    }

    @Test
    void anAbsentDeviceIsBadInputAndNothingIsWritten() {
        assumeTrue(ComputeDevice.listOpenCl().stream().noneMatch(d -> d.startsWith("opencl:gpu:")),
                "SKIPPED: this machine has an OpenCL GPU, so device=gpu is not absent here");
        Cli.Result r = train("nogpu", "-np", "2", "--set", "device=gpu", "--set", "iterations=2");
        assertEquals(2, r.exitCode(), r.all());
        assertTrue(r.err().contains("device=gpu") && r.err().contains("device="), r.all());
        assertFalse(Files.exists(results.resolve("nogpu")), "nothing half-written");
        Cli.Result check = Cli.run("devices", "--check", "gpu");
        assertEquals(2, check.exitCode(), check.all());
    }
}
