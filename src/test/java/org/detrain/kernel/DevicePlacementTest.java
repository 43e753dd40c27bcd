package org.detrain.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.aparapi.Kernel;
import com.aparapi.device.Device;
import com.aparapi.device.JavaDevice;
import com.aparapi.internal.kernel.KernelDeviceProfile;
import com.aparapi.internal.kernel.KernelManager;
import com.aparapi.internal.kernel.KernelProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.detrain.model.Models;
import org.junit.jupiter.api.Test;

/**
 * A kernel runs on the device its rank asked for, as Aparapi itself saw it: its profile of the
 * launching thread names the device of every launch. device=jtp once ran every kernel on PoCL
 * while the results said "jtp" (a thread-pool range carries no device, so Aparapi chose its best).
 */
class DevicePlacementTest {
    /** The devices on which {@code kernelClass} ran from the current thread. */
    private static List<String> devicesOfThisThread(Class<? extends Kernel> kernelClass) {
        KernelProfile profile = KernelManager.instance().getProfile(kernelClass);
        List<String> ran = new ArrayList<>();
        for (Device d : profile.getDevices()) {
            KernelDeviceProfile p = profile.getDeviceProfile(d);
            if (p != null && p.getReportCurrentThread() != null) {
                ran.add(d.getShortDescription());
            }
        }
        return ran;
    }

    /** Runs {@code work} on a thread of its own (profiles are per thread), then the devices its kernels used. */
    private static List<List<String>> onFreshThread(Runnable work, List<Class<? extends Kernel>> kernels) throws Exception {
        AtomicReference<List<List<String>>> out = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                work.run();
                List<List<String>> all = new ArrayList<>();
                for (Class<? extends Kernel> k : kernels) {
                    all.add(devicesOfThisThread(k));
                }
                out.set(all);
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        return out.get();
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Kernel> nested(String name) throws ClassNotFoundException {
        return (Class<? extends Kernel>) Class.forName(AparapiVectorOps.class.getName() + "$" + name);
    }

    @Test
    void jtpKernelsRunOnAparapisThreadPoolEvenWhereOpenClIsInstalled() throws Exception {
        ComputeDevice jtp = ComputeDevice.select("jtp");
        String pool = JavaDevice.THREAD_POOL.getShortDescription();
        List<List<String>> mixing = onFreshThread(() -> {
            AparapiVectorOps ops = new AparapiVectorOps(jtp);
            float[] a = {1, 2, 3};
            float[] out = new float[3];
            ops.linearCombination(out, 2f, a, 1f, a, 3);
            ops.weightedSum(out, 0.5f, a, new float[] {0.5f}, new float[][] {a}, 3);
            assertEquals(3f, out[2]); // 0.5 a + 0.5 a
        }, List.of(nested("AxpbyKernel"), nested("MixKernel")));
        assertEquals(List.of(List.of(pool), List.of(pool)), mixing);

        List<List<String>> net = onFreshThread(() -> {
            try (NetEngine engine = NetEngine.create(Models.softmaxProgram(20, 3), jtp, 4)) {
                float[] params = new float[engine.program().dim()];
                engine.trainStep(params, 2, new float[params.length]);
            }
        }, List.of(NetKernel.class));
        assertEquals(List.of(List.of(pool)), net);
    }

    @Test
    void openClKernelsRunOnTheChosenOpenClDevice() throws Exception {
        ComputeDevice cpu = OpenClAvailable.device();
        List<List<String>> mixing = onFreshThread(() -> {
            AparapiVectorOps ops = new AparapiVectorOps(cpu);
            float[] a = {1, 2, 3};
            ops.linearCombination(new float[3], 2f, a, 1f, a, 3);
        }, List.of(nested("AxpbyKernel")));
        assertEquals(1, mixing.get(0).size(), mixing.toString());
        assertNotEquals(JavaDevice.THREAD_POOL.getShortDescription(), mixing.get(0).get(0));
    }
}
