package org.detrain.it;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.detrain.cli.Main;

/** Runs the detrain CLI in this JVM (the ranks still run in their own MPJ JVMs) and captures its output. */
final class Cli {
    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private Cli() {
    }

    static Path home() {
        String home = System.getProperty("detrain.home");
        if (home == null) {
            throw new IllegalStateException("detrain.home is not set (failsafe sets it; run `make test`)");
        }
        return Path.of(home);
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        Result r = new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("$ detrain " + String.join(" ", args) + "\n" + r.all() + "[exit " + code + "]");
        return r;
    }
}
