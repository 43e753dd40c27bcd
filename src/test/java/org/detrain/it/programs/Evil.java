package org.detrain.it.programs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a stranger tries to run through a job (SecurityIT): if it ever runs, it leaves a file named
 * after the user it ran as in the temporary directory.
 */
public final class Evil {
    private Evil() {
    }

    public static void main(String[] args) throws Exception {
        Files.writeString(marker(System.getProperty("user.name")), "ran\n");
    }

    /** The file Evil leaves when it ran as {@code user}. */
    public static Path marker(String user) {
        return Path.of("/tmp", "detrain-evil-ran-as-" + user);
    }
}
