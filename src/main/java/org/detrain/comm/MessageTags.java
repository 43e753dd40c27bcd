package org.detrain.comm;

/**
 * Every tag detrain's point-to-point messages carry, in one list so that no two uses can collide:
 * a receive only ever matches a message meant for it. One tag per algorithm's gossip (one algorithm
 * runs per job, but distinct tags keep even a stray message from matching another's receive) and a
 * range for the transport check. MPJ Express 0.44's own collectives (gather, broadcast, barrier)
 * send with tags 34001–34013 and 35000 ({@code mpi.PureIntracomm}), so every tag here stays below
 * {@link #MPJ_COLLECTIVES_FIRST}. {@code MessageTagsTest} checks both rules.
 */
public final class MessageTags {
    /** D-PSGD's gossip of x (every round, plain or accelerated). */
    public static final int DPSGD = 11;
    /** D²'s gossip of ψ^{t+1} + x^t − ψ^t. */
    public static final int D2 = 12;
    /** DSGT's packed gossip of (x − αy, y). */
    public static final int DSGT = 13;
    /** SGP's push-sum shares [s·x, s·w]. */
    public static final int SGP = 14;
    /** DeTAG's packed accelerated-gossip step on (x̃, y). */
    public static final int DETAG = 15;
    /** DeFacto's spanning-tree gather and propagate steps. */
    public static final int DEFACTO = 16;
    /** Gathers to one rank (metrics, models, status texts), point to point in the MPJ communicator. */
    public static final int GATHER = 20;
    /** {@code detrain check}: the first of consecutive tags, one per gossip endpoint the check builds. */
    public static final int TRANSPORT_CHECK_FIRST = 100;

    /** The lowest tag MPJ Express's collectives use; none of detrain's may reach it. */
    public static final int MPJ_COLLECTIVES_FIRST = 34001;

    private MessageTags() {
    }
}
