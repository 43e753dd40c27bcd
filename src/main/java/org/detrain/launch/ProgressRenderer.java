package org.detrain.launch;

import java.io.PrintStream;

/**
 * Turns rank 0's progress lines into a live status line (on a terminal) or a line every tenth of
 * the run (in a log): iteration, epoch, loss, latest test accuracy, elapsed time and ETA.
 */
final class ProgressRenderer {
    private final PrintStream out;
    private final boolean live;
    private int lastDecile = -1;
    private int lastWidth;
    private boolean printedLive;

    ProgressRenderer(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    /**
     * Line format: "@@progress done total epoch loss elapsed accuracy". Returns false, showing nothing,
     * for a line that does not parse (another writer's output interleaved with it, e.g. JVM diagnostics).
     */
    synchronized boolean update(String line) {
        String[] f = line.trim().split("\\s+");
        long done;
        long total;
        double elapsed;
        try {
            if (f.length < 7) {
                return false;
            }
            done = Long.parseLong(f[1]);
            total = Long.parseLong(f[2]);
            elapsed = Double.parseDouble(f[5]);
        } catch (NumberFormatException e) {
            return false;
        }
        double eta = done > 0 ? elapsed * (total - done) / done : Double.NaN;
        String text = String.format("iter %d/%d  epoch %s  loss(avg) %s  test acc %s  elapsed %s  ETA %s", done, total, f[3],
                f[4], f[6], seconds(elapsed), seconds(eta));
        if (live) {
            String padded = text + " ".repeat(Math.max(0, lastWidth - text.length()));
            out.print("\r" + padded);
            out.flush();
            lastWidth = text.length();
            printedLive = true;
        } else {
            int decile = (int) (10 * done / Math.max(1, total));
            if (decile != lastDecile) {
                lastDecile = decile;
                out.println(text);
            }
        }
        return true;
    }

    /** A message for the user, printed on its own line. */
    synchronized void say(String text) {
        finish();
        out.println(text);
    }

    synchronized void finish() {
        if (printedLive) {
            out.println();
            printedLive = false;
        }
    }

    private static String seconds(double s) {
        if (Double.isNaN(s)) {
            return "-";
        }
        if (s < 120) {
            return String.format("%.1fs", s);
        }
        return String.format("%dm%02ds", (long) s / 60, (long) s % 60);
    }
}
