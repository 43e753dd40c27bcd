package org.detrain.comm;

/**
 * What runs on every rank once the transport is up. The MPJ entry point instantiates it by class
 * name, so this layer does not depend on the layers above it.
 */
public interface RankProgram {
    /** Runs the rank's work; returning normally means success. */
    void run(Communicator comm, String[] args) throws Exception;

    /**
     * Records that this rank failed (status file, log) before the process is stopped. Must not
     * throw and must not block on other ranks.
     */
    void reportFailure(int rank, Throwable failure);
}
