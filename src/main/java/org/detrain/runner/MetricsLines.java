package org.detrain.runner;

import org.detrain.results.MetricsSchema;

/**
 * The lines of {@code metrics.jsonl}: one JSON object per line, {@code "kind"} first.
 * <pre>
 * {"kind":"run","format":"detrain-metrics/2","run_id":"...","ranks":4,"iterations":300,"iterations_per_epoch":1}
 * {"kind":"record","iteration":10,"epoch":0.5,"wall_time":...,"training_time":...,...,"train_loss":[per rank],...}
 * {"kind":"evaluation","iteration":20,"epoch":1.0,"wall_time":...,"test_loss":...,"local_test_loss":[per rank],...}
 * {"kind":"status","status":"complete","iteration":300,"wall_time":...,"training_time":...,...}
 * </pre>
 * Record and evaluation lines hold the values of the {@code /metrics} series under their names
 * (an evaluation's iteration, epoch and wall time under the record's names), per-rank series as
 * arrays in rank order. Numbers are written so that they read back to the same double
 * ({@link Double#toString}); NaN and infinities as {@code NaN}, {@code Infinity} and
 * {@code -Infinity}, which Python's json module reads. The status line ends the file when the run
 * ends (not when it fails otherwise); a diverged run's carries {@code "diverged_at"}. Every record and evaluation of a run appears once, in the order taken:
 * a resumed run rewrites the file from its checkpoint's series before appending.
 */
final class MetricsLines {
    private MetricsLines() {
    }

    static String header(String runId, int ranks, long iterations, long iterationsPerEpoch) {
        return line("run").put("format", MetricsSchema.FORMAT_VERSION).put("run_id", runId).put("ranks", ranks)
                .put("iterations", iterations).put("iterations_per_epoch", iterationsPerEpoch).text();
    }

    /**
     * The last line: how the run ended, the iteration of its last record and, under the names of
     * {@link MetricsSchema#RECORD_TIMES}, rank 0's times there as metrics.h5 holds them (for a
     * complete run the loop's end, later than the record's own line); {@code divergedAt} only for a
     * diverged run (else negative).
     */
    static String status(String status, long divergedAt, long lastRecord, double[] times) {
        Line l = line("status").put("status", status).put("iteration", lastRecord);
        if (divergedAt >= 0) {
            l.put(MetricsSchema.DIVERGED_AT.key(), divergedAt);
        }
        for (int k = 0; k < times.length; k++) {
            l.put(MetricsSchema.RECORD_TIMES.get(k).key(), times[k]);
        }
        return l.text();
    }

    static Line line(String kind) {
        return new Line().put("kind", kind);
    }

    /** A JSON object built field by field. */
    static final class Line {
        private final StringBuilder text = new StringBuilder("{");

        Line put(String name, String value) {
            return name(name).string(value);
        }

        Line put(String name, long value) {
            name(name).text.append(value);
            return this;
        }

        Line put(String name, double value) {
            name(name).number(value);
            return this;
        }

        Line put(String name, double[] values) {
            name(name).text.append('[');
            for (int k = 0; k < values.length; k++) {
                if (k > 0) {
                    text.append(',');
                }
                number(values[k]);
            }
            text.append(']');
            return this;
        }

        String text() {
            return text + "}";
        }

        private Line name(String name) {
            if (text.length() > 1) {
                text.append(',');
            }
            return string(name).colon();
        }

        private Line colon() {
            text.append(':');
            return this;
        }

        private void number(double v) {
            text.append(Double.isNaN(v) ? "NaN" : Double.isInfinite(v) ? (v > 0 ? "Infinity" : "-Infinity")
                    : Double.toString(v));
        }

        private Line string(String s) {
            text.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> text.append("\\\"");
                    case '\\' -> text.append("\\\\");
                    case '\n' -> text.append("\\n");
                    case '\r' -> text.append("\\r");
                    case '\t' -> text.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            text.append(String.format("\\u%04x", (int) c));
                        } else {
                            text.append(c);
                        }
                    }
                }
            }
            text.append('"');
            return this;
        }
    }
}
