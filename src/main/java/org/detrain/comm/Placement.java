package org.detrain.comm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.detrain.util.DetrainException;

/**
 * Where the ranks of a job run: all on this host ({@link #local()}), or on hosts whose detrain
 * daemons are already running ({@link OnHosts}, `detrain train --machines FILE --daemon-port P`).
 */
public sealed interface Placement permits Placement.Local, Placement.OnHosts {

    /** Every rank on this host; the launcher starts (niodev) or needs (multicore) no daemon elsewhere. */
    static Placement local() {
        return Local.INSTANCE;
    }

    /**
     * The hosts listed in {@code machinesFile}, their daemons listening on {@code daemonPort} and
     * answering to the job secret in {@code secretFile} (null: {@link #defaultSecret}).
     */
    static OnHosts onHosts(Path machinesFile, int daemonPort, Path secretFile) {
        return new OnHosts(readMachinesFile(machinesFile), daemonPort,
                secretFile != null ? secretFile : defaultSecret(machinesFile));
    }

    /**
     * The secret file a daemon and a launcher use when none is named: beside the machines file they
     * share ({@code machines} → {@code machines.secret}), created by whichever comes first.
     */
    static Path defaultSecret(Path machinesFile) {
        return machinesFile.toAbsolutePath().resolveSibling(machinesFile.getFileName() + ".secret");
    }

    /** Reads a machines file: one host per line; blank lines and {@code #} comments are skipped. */
    static List<String> readMachinesFile(Path machinesFile) {
        List<String> hosts = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(machinesFile, StandardCharsets.UTF_8)) {
                String h = line.replaceFirst("#.*", "").trim();
                if (h.isEmpty()) {
                    continue;
                }
                if (!h.matches("[A-Za-z0-9][A-Za-z0-9._:-]*")) {
                    throw DetrainException.badInput("machines file " + machinesFile + ": '" + h + "' is not a host name"
                            + " or address; write one host per line");
                }
                hosts.add(h);
            }
        } catch (IOException e) {
            throw DetrainException.badInput("cannot read the machines file " + machinesFile + ": " + e.getMessage()
                    + "; pass an existing file to --machines", e);
        }
        if (hosts.isEmpty()) {
            throw DetrainException.badInput("the machines file " + machinesFile + " names no host; list one host name"
                    + " per line");
        }
        return hosts;
    }

    /** All ranks on this host. */
    record Local() implements Placement {
        private static final Local INSTANCE = new Local();
    }

    /**
     * Hosts whose {@code detrain daemon}s are already running, all on {@code daemonPort}, proving
     * {@code secretFile}'s secret on every connection. Ranks go
     * blocks in this order: with n ranks on m hosts, the first n mod m hosts get ⌈n/m⌉ ranks and the
     * others ⌊n/m⌋ (rank 0 on the first host).
     */
    record OnHosts(List<String> machines, int daemonPort, Path secretFile) implements Placement {
        public OnHosts {
            machines = List.copyOf(machines);
            java.util.Objects.requireNonNull(secretFile, "secretFile");
            if (machines.isEmpty()) {
                throw DetrainException.badInput("the machines file names no host; list one host name per line");
            }
            if (daemonPort < 1 || daemonPort > 65535) {
                throw DetrainException.badInput("--daemon-port must be a TCP port (1-65535), got " + daemonPort);
            }
        }
    }
}
