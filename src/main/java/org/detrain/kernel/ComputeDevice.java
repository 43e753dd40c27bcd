package org.detrain.kernel;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.JavaDevice;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import com.aparapi.internal.kernel.KernelManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.detrain.util.DetrainException;

/**
 * Where a rank's kernels run: {@code java} (the Java engine, {@link JavaNet}; {@code threads} threads), {@code jtp}
 * (the Aparapi kernels executed by Aparapi's Java thread pool) or an OpenCL device ({@code gpu},
 * {@code cpu}, or {@code auto} = the best OpenCL device present, GPUs first).
 *
 * <p>Asking for a device that is not there is an error, never a silent fallback, and so is a kernel
 * that Aparapi could not run where it was asked to: {@link #execute} checks after every launch
 * that Aparapi did not fall back to another device. {@link #description()} is what the results
 * record per rank, e.g. {@code opencl:cpu:pthread-skylake-avx512-AMD EPYC:Portable Computing Language}.
 */
public final class ComputeDevice {
    /** The {@code device} config values, in the order the docs list them. */
    public static final List<String> CHOICES = List.of("auto", "gpu", "cpu", "jtp", "java");

    public enum Kind { JAVA, JTP, OPENCL }

    /**
     * Aparapi's native side is not thread-safe: multicore ranks enumerating platforms at once crashed
     * the JVM in OpenCLJNI.getPlatforms, and ranks launching their own kernels at once crashed it in
     * runKernelJNI (jni_GetObjectClass) or corrupted the heap (4 of 10 four-rank MLP runs on PoCL).
     * So every native call on an OpenCL device — enumeration, compilation, put, launch, get,
     * dispose — happens under this one JVM-wide lock ({@link #launchLock()}): the ranks of a JVM take
     * turns on the device, as they would on one GPU's queue. A lock, not state: nothing is cached here.
     */
    private static final Object NATIVE_LOCK = new Object();
    /**
     * Aparapi's Java side warns about class-file details on every kernel; fallbacks, the warnings
     * that matter, are errors here instead (see {@link #execute}). Aparapi reads its level from the
     * system property {@code com.aparapi.logLevel} when it initialises, so it is set (unless the user
     * set it) before any Aparapi class is used. (Its native library's "untested OpenCL platform"
     * line goes straight to stderr and cannot be silenced from Java.)
     */
    private static final java.util.logging.Logger APARAPI_LOG = quiet();

    /** The Java engine on one thread. */
    public static final ComputeDevice JAVA = new ComputeDevice(Kind.JAVA, null, "java");

    private final Kind kind;
    private final Device device;
    private final String description;
    private final int threads;

    private ComputeDevice(Kind kind, Device device, String description) {
        this(kind, device, description, 1);
    }

    private ComputeDevice(Kind kind, Device device, String description, int threads) {
        this.kind = kind;
        this.device = device;
        this.description = description;
        this.threads = threads;
    }

    /**
     * The Java device with {@code threads} threads per rank for the network passes (config key
     * {@code threads}); each output element is computed by one thread, so results do not depend on it.
     */
    public static ComputeDevice java(int threads) {
        if (threads < 1) {
            throw DetrainException.badInput("threads must be at least 1, got " + threads);
        }
        return threads == 1 ? JAVA : new ComputeDevice(Kind.JAVA, null, "java", threads);
    }

    /** {@link #select(String)}, with {@code threads} for the Java device (other devices ignore it). */
    public static ComputeDevice select(String request, int threads) {
        return request.equals("java") ? java(threads) : select(request);
    }

    /** Threads per rank of the Java engine (1 for the other devices, which bring their own). */
    public int threads() {
        return threads;
    }

    private static java.util.logging.Logger quiet() {
        if (System.getProperty("com.aparapi.logLevel") == null) {
            System.setProperty("com.aparapi.logLevel", "SEVERE");
        }
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("com.aparapi");
        log.setLevel(java.util.logging.Level.SEVERE);
        return log;
    }

    private static final ThreadLocal<Boolean> PROBE_IN_CHILD = ThreadLocal.withInitial(() -> false);

    /**
     * Runs {@code action} (a launcher's checks of a run) with {@link #select} finding OpenCL devices
     * in a short-lived child JVM, so that OpenCL's native library never loads in this one: it prints
     * its "untested OpenCL platform" line straight to stderr, ahead of whatever detrain says next;
     * the child's is discarded. The devices {@code select} returns meanwhile are descriptions only:
     * they run no kernel.
     */
    public static <T> T probingInChildProcess(java.util.function.Supplier<T> action) {
        boolean before = PROBE_IN_CHILD.get();
        PROBE_IN_CHILD.set(true);
        try {
            return action.get();
        } finally {
            PROBE_IN_CHILD.set(before);
        }
    }

    /** Resolves a {@code device} config value; an absent device is a {@link DetrainException}. */
    public static ComputeDevice select(String request) {
        if (PROBE_IN_CHILD.get() && (request.equals("auto") || request.equals("cpu") || request.equals("gpu"))) {
            return probed(request);
        }
        return switch (request) {
            case "java" -> JAVA;
            case "jtp" -> new ComputeDevice(Kind.JTP, JavaDevice.THREAD_POOL, "jtp");
            case "cpu" -> openCl(firstOf(Device.TYPE.CPU), request);
            case "gpu" -> openCl(firstOf(Device.TYPE.GPU), request);
            case "auto" -> {
                OpenCLDevice d = firstOf(Device.TYPE.GPU);
                if (d == null) {
                    d = firstOf(Device.TYPE.ACC);
                }
                if (d == null) {
                    d = firstOf(Device.TYPE.CPU);
                }
                yield openCl(d, request);
            }
            default -> throw DetrainException.badInput("unknown device '" + request + "': use one of " + CHOICES);
        };
    }

    /** Every OpenCL device Aparapi sees, as descriptions (empty when there is no OpenCL platform). */
    public static List<String> listOpenCl() {
        List<String> out = new ArrayList<>();
        for (OpenCLDevice d : openClDevices(null)) {
            out.add(describe(d));
        }
        return out;
    }

    private static ComputeDevice openCl(OpenCLDevice d, String request) {
        if (d == null) {
            List<String> present = listOpenCl();
            throw DetrainException.badInput("device=" + request + " asks for an OpenCL " + (request.equals("auto") ? "" : request.toUpperCase(Locale.ROOT) + " ")
                    + "device but " + (present.isEmpty() ? "no OpenCL platform is installed" : "only " + present + " are present")
                    + "; install an OpenCL driver (make deps installs PoCL for CPUs) or choose device="
                    + (present.isEmpty() ? "java or jtp" : "cpu, jtp or java"));
        }
        return new ComputeDevice(Kind.OPENCL, d, describe(d));
    }

    private static OpenCLDevice firstOf(Device.TYPE type) {
        List<OpenCLDevice> list = openClDevices(type);
        OpenCLDevice best = null;
        for (OpenCLDevice d : list) {
            if (best == null || d.getMaxComputeUnits() > best.getMaxComputeUnits()) {
                best = d;
            }
        }
        return best;
    }

    private static List<OpenCLDevice> openClDevices(Device.TYPE type) {
        synchronized (NATIVE_LOCK) {
            try {
                List<OpenCLDevice> all = OpenCLDevice.listDevices(type);
                return all == null ? List.of() : all;
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                return List.of(); // no OpenCL library or platform: the caller names what is missing
            }
        }
    }

    private static String describe(OpenCLDevice d) {
        String type = d.getType() == null ? "other" : d.getType().name().toLowerCase(Locale.ROOT);
        return "opencl:" + type + ":" + d.getName().trim() + ":" + d.getOpenCLPlatform().getName().trim();
    }

    public Kind kind() {
        return kind;
    }

    public boolean isOpenCl() {
        return kind == Kind.OPENCL;
    }

    /** As recorded in the results: {@code java}, {@code jtp} or {@code opencl:<type>:<device>:<platform>}. */
    public String description() {
        return description;
    }

    /**
     * The range of a launch over {@code items} elements: one work-item per element, in groups of 64
     * (PoCL vectorises across work-items; work-items that loop over several elements ran 2-10x slower).
     */
    Range rangeFor(int items) {
        int global = Math.max(64, (items + 63) / 64 * 64);
        return device.createRange(global, 64);
    }

    /**
     * Prepares {@code kernel} for this device: OpenCL kernels are compiled now, so a kernel the
     * device cannot run fails here with a clear message rather than falling back at its first launch.
     */
    void prepare(Kernel kernel, String name) {
        if (kind == Kind.JAVA) {
            throw new IllegalStateException("the java device runs no Aparapi kernels");
        }
        kernel.setExplicit(true);
        if (kind == Kind.JTP) {
            // Aparapi's Range keeps only OpenCL devices: a range made by JavaDevice.THREAD_POOL has no
            // device, so Aparapi picks its "best" device, an OpenCL one wherever a driver is installed,
            // and with none it tries its alternative algorithm first and marks it failed. The (deprecated,
            // per-instance) execution mode is the one way to pin a kernel to the thread pool, without fallback.
            setThreadPoolOnly(kernel);
        }
        if (kind == Kind.OPENCL) {
            try {
                synchronized (NATIVE_LOCK) {
                    kernel.compile(device);
                }
            } catch (CompileFailedException | RuntimeException e) {
                throw DetrainException.runFailure("kernel " + name + " does not compile for " + description + ": " + e.getMessage()
                        + "; run with device=java (or jtp), and report this with the device name", e);
            }
        }
    }

    /**
     * What callers hold across every Aparapi call on a kernel of this device (bind, put, execute, get,
     * dispose): the JVM-wide native lock for OpenCL; for the thread pool, which runs in Java, a lock
     * of this device alone (each rank selects its own).
     */
    Object launchLock() {
        return kind == Kind.OPENCL ? NATIVE_LOCK : this;
    }

    @SuppressWarnings("deprecation")
    private static void setThreadPoolOnly(Kernel kernel) {
        kernel.setExecutionModeWithoutFallback(Kernel.EXECUTION_MODE.JTP);
    }

    /** Runs {@code passes} passes of {@code kernel} here, or fails if Aparapi ran it anywhere else. */
    void execute(Kernel kernel, String name, Range range, int passes) {
        kernel.execute(range, passes);
        List<Device> failed = KernelManager.instance().getPreferences(kernel).getFailedDevices();
        if (!failed.isEmpty()) {
            throw DetrainException.runFailure("kernel " + name + " could not run on " + description
                    + " (Aparapi marked " + failed + " as failed and would fall back to another device)"
                    + "; run with device=java, or check the OpenCL driver with clinfo", null);
        }
    }

    @Override
    public String toString() {
        return description;
    }

    /** {@link #select} in a child JVM ({@link Probe}); its stderr (the native library's) is dropped. */
    private static ComputeDevice probed(String request) {
        Path javaBinary = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = List.of(javaBinary.toString(), "-Djava.awt.headless=true", "-cp", System.getProperty("java.class.path"),
                Probe.class.getName(), request);
        String answer;
        int code;
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            answer = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            code = p.waitFor();
        } catch (java.io.IOException e) {
            throw DetrainException.badInput("cannot start a JVM to look for OpenCL devices: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DetrainException.badInput("interrupted while looking for OpenCL devices", e);
        }
        if (code == 0 && answer.startsWith(Probe.FOUND)) {
            return new ComputeDevice(Kind.OPENCL, null, answer.substring(Probe.FOUND.length()));
        }
        if (answer.startsWith(Probe.REFUSED)) {
            throw DetrainException.badInput(answer.substring(Probe.REFUSED.length()));
        }
        throw DetrainException.badInput("looking for an OpenCL device for device=" + request + " crashed a JVM (exit " + code
                + "); check the OpenCL driver with `detrain devices` and clinfo, or choose device=java");
    }

    /** Main class of the child JVM of {@link #probed}: prints the device found, or why there is none. */
    public static final class Probe {
        static final String FOUND = "found ";
        static final String REFUSED = "refused ";

        private Probe() {
        }

        public static void main(String[] args) {
            try {
                System.out.println(FOUND + select(args[0]).description());
            } catch (DetrainException e) {
                System.out.println(REFUSED + e.getMessage().replace('\n', ' '));
            }
            System.out.flush();
            Runtime.getRuntime().halt(0); // OpenCL drivers may keep threads
        }
    }
}
