package org.detrain.kernel;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Test helper: the OpenCL device tests run on (PoCL's CPU device here), or a visible skip. */
public final class OpenClAvailable {
    private OpenClAvailable() {
    }

    /** The first OpenCL device (CPU preferred, as CI has no GPU); skips the test when there is none. */
    public static ComputeDevice device() {
        boolean present = !ComputeDevice.listOpenCl().isEmpty();
        assumeTrue(present, "SKIPPED: no OpenCL platform on this machine (install pocl-opencl-icd: make deps)");
        try {
            return ComputeDevice.select("cpu");
        } catch (RuntimeException noCpu) {
            return ComputeDevice.select("auto");
        }
    }
}
