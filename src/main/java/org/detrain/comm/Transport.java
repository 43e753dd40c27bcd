package org.detrain.comm;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.detrain.util.DetrainException;

/** The MPJ Express device the ranks of a job talk over. */
public enum Transport {
    /** Ranks as threads of one JVM on this host (MPJ's smpdev). */
    MULTICORE("multicore"),
    /** One JVM per rank over TCP, started by the launcher (or {@code detrain daemon} on other hosts). */
    NIODEV("niodev");

    private final String mpjName;

    Transport(String mpjName) {
        this.mpjName = mpjName;
    }

    /** The name users type ({@code --transport}) and the results record ({@code mpj_device}). */
    public String mpjName() {
        return mpjName;
    }

    /** Whether every rank is a JVM of its own (so a rank can die alone). */
    public boolean oneJvmPerRank() {
        return this == NIODEV;
    }

    /** The transport named {@code text}; anything else is bad input naming the choices. */
    public static Transport parse(String text) {
        for (Transport t : values()) {
            if (t.mpjName.equals(text)) {
                return t;
            }
        }
        throw DetrainException.badInput("unknown transport '" + text + "': use "
                + Arrays.stream(values()).map(Transport::mpjName).collect(Collectors.joining(" or ")));
    }

    @Override
    public String toString() {
        return mpjName;
    }
}
