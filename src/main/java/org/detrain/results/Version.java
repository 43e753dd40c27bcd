package org.detrain.results;

/** The detrain release, as recorded in every result file. */
public final class Version {
    public static final String VERSION = "0.1.0";

    private Version() {
    }
}
