package org.detrain.comm;

import java.util.Objects;
import org.detrain.util.DetrainException;

/**
 * How and where the ranks of a job run: the MPJ transport and the placement. The one place that
 * checks that the two fit: ranks on several hosts need niodev (multicore ranks are threads of one
 * JVM on this host).
 */
public record Deployment(Transport transport, Placement placement) {
    public Deployment {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(placement, "placement");
        if (placement instanceof Placement.OnHosts && transport != Transport.NIODEV) {
            throw DetrainException.badInput("--machines runs ranks on several hosts and needs --transport niodev"
                    + " (" + transport + " runs on this host only)");
        }
    }

    /**
     * Checks, before anything is written, what the job will need from the hosts' daemons: the job
     * secret file exists and only its owner can read it (bad input otherwise).
     */
    public void checkSecret() {
        if (placement instanceof Placement.OnHosts hosts) {
            JobSecret.read(hosts.secretFile());
        }
    }

    /** All ranks on this host over {@code transport}. */
    public static Deployment local(Transport transport) {
        return new Deployment(transport, Placement.local());
    }
}
