package org.detrain.config;

import java.util.List;
import java.util.Locale;
import org.detrain.util.DetrainException;

/**
 * One configuration key: its type, default, allowed values or range, and a one-line description.
 * The list in {@link ConfigSchema} is the single source for validation, `detrain config` and the
 * README's key table.
 */
public record KeySpec(String name, Type type, String defaultValue, List<String> choices, double min,
                      boolean minExclusive, double max, String description) {

    public enum Type { STRING, INT, LONG, DOUBLE, WORD_OR_INT, AUTO_OR_DOUBLE, BOOLEAN, CHOICE }

    static KeySpec choice(String name, String def, List<String> choices, String description) {
        return new KeySpec(name, Type.CHOICE, def, List.copyOf(choices), 0, false, 0, description);
    }

    static KeySpec integer(String name, long def, long min, long max, String description) {
        return new KeySpec(name, Type.INT, Long.toString(def), List.of(), min, false, max, description);
    }

    static KeySpec longValue(String name, long def, long min, String description) {
        return new KeySpec(name, Type.LONG, Long.toString(def), List.of(), min, false, Long.MAX_VALUE, description);
    }

    static KeySpec real(String name, String def, double min, double max, String description) {
        return new KeySpec(name, Type.DOUBLE, def, List.of(), min, false, max, description);
    }

    /** A real number in (0, max]. */
    static KeySpec positive(String name, String def, double max, String description) {
        return new KeySpec(name, Type.DOUBLE, def, List.of(), 0, true, max, description);
    }

    /** "auto" (derived at run time, e.g. from the mixing matrix) or a number in [min, max]. */
    static KeySpec autoOrReal(String name, String def, double min, double max, String description) {
        return new KeySpec(name, Type.AUTO_OR_DOUBLE, def, List.of(), min, false, max, description);
    }

    /** A whole number in [min, max] or one of the given words (e.g. "auto"). */
    static KeySpec wordOrInteger(String name, String def, List<String> words, long min, long max, String description) {
        return new KeySpec(name, Type.WORD_OR_INT, def, words, min, false, max, description);
    }

    static KeySpec string(String name, String def, String description) {
        return new KeySpec(name, Type.STRING, def, List.of(), 0, false, 0, description);
    }

    static KeySpec bool(String name, boolean def, String description) {
        return new KeySpec(name, Type.BOOLEAN, Boolean.toString(def), List.of("true", "false"), 0, false, 0, description);
    }

    /** Checks a raw value and returns its canonical text form (what gets recorded and hashed). */
    String canonical(String raw, String origin) {
        String v = raw.trim();
        switch (type) {
            case CHOICE -> {
                String lower = v.toLowerCase(Locale.ROOT);
                if (!choices.contains(lower)) {
                    throw bad(origin, "'" + v + "' is not one of " + String.join(", ", choices));
                }
                return lower;
            }
            case BOOLEAN -> {
                String lower = v.toLowerCase(Locale.ROOT);
                if (!lower.equals("true") && !lower.equals("false")) {
                    throw bad(origin, "'" + v + "' is not true or false");
                }
                return lower;
            }
            case INT, LONG, WORD_OR_INT -> {
                if (type == Type.WORD_OR_INT && choices.contains(v.toLowerCase(Locale.ROOT))) {
                    return v.toLowerCase(Locale.ROOT);
                }
                long parsed;
                try {
                    parsed = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw bad(origin, "'" + v + "' is not " + (type == Type.WORD_OR_INT ? String.join(", ", choices)
                            + " or " : "") + "a whole number in " + range());
                }
                if (parsed < min || parsed > max || (type != Type.LONG && parsed > Integer.MAX_VALUE)) {
                    throw bad(origin, parsed + " is outside " + range());
                }
                return Long.toString(parsed);
            }
            case AUTO_OR_DOUBLE, DOUBLE -> {
                if (type == Type.AUTO_OR_DOUBLE && v.equalsIgnoreCase("auto")) {
                    return "auto";
                }
                double parsed;
                try {
                    parsed = Double.parseDouble(v);
                } catch (NumberFormatException e) {
                    throw bad(origin, "'" + v + "' is not a number in " + range());
                }
                if (!Double.isFinite(parsed) || parsed < min || (minExclusive && parsed == min) || parsed > max) {
                    throw bad(origin, v + " is outside " + range());
                }
                return v;
            }
            default -> {
                return v; // text; empty means unset where the key allows it
            }
        }
    }

    /** Human-readable allowed values, for errors and `detrain config`. */
    public String range() {
        return switch (type) {
            case CHOICE, BOOLEAN -> String.join("|", choices);
            case INT -> "[" + (long) min + ", " + (long) Math.min(max, Integer.MAX_VALUE) + "]";
            case LONG -> "[" + (long) min + ", " + (max >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) max) + "]";
            case WORD_OR_INT -> String.join("|", choices) + "|[" + (long) min + ", " + (long) max + "]";
            case AUTO_OR_DOUBLE -> "auto|[" + fmt(min) + ", " + fmt(max) + "]";
            case DOUBLE -> (minExclusive ? "(" : "[") + fmt(min) + ", " + (max == Double.MAX_VALUE ? "∞)" : fmt(max) + "]");
            case STRING -> "text";
        };
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private DetrainException bad(String origin, String what) {
        return DetrainException.badInput("config key '" + name + "' (" + origin + "): " + what + " — " + description);
    }
}
