package org.detrain.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.detrain.config.ConfigSchema;
import org.detrain.config.KeySpec;

/** {@code detrain config}: the resolved configuration, or every key with its default. */
final class ConfigCommand {
    /** Widest the values column grows; longer lists of choices wrap after a '|'. */
    static final int VALUES_WIDTH = 30;
    /** Widest the meaning column grows before it wraps at a space. */
    static final int MEANING_WIDTH = 72;

    private ConfigCommand() {
    }

    static int run(String[] args, PrintStream out) {
        Options o = new Options();
        CliArgs.addConfigOptions(o, "config file", "override a key (repeatable)");
        o.addOption(Option.builder().longOpt("keys").desc("list every key with type, default and meaning").build());
        o.addOption(CliArgs.helpOption());
        CommandLine cl = CliArgs.parse(o, args);
        if (cl.hasOption("help")) {
            CliArgs.help(out, "detrain config [--config FILE] [--set key=value ...] | --keys", o, "");
            return 0;
        }
        if (cl.hasOption("keys")) {
            out.print(keyTable(ConfigSchema.KEYS));
            return 0;
        }
        out.print(CliArgs.config(cl).toPropertiesText());
        return 0;
    }

    /**
     * Every key as a table whose columns stay aligned: key, values, default, meaning; a long list of
     * values wraps within its column after a '|', a long meaning at a space.
     */
    static String keyTable(List<KeySpec> keys) {
        int keyWidth = "key".length();
        int defaultWidth = "default".length();
        int valuesWidth = "values".length();
        for (KeySpec k : keys) {
            keyWidth = Math.max(keyWidth, k.name().length());
            defaultWidth = Math.max(defaultWidth, k.defaultValue().length());
            valuesWidth = Math.max(valuesWidth, Math.min(VALUES_WIDTH, k.range().length()));
        }
        StringBuilder b = new StringBuilder();
        row(b, List.of("key"), List.of("values"), List.of("default"), List.of("meaning"), keyWidth, valuesWidth,
                defaultWidth);
        for (KeySpec k : keys) {
            row(b, List.of(k.name()), wrap(k.range(), valuesWidth, '|'), List.of(k.defaultValue()),
                    wrap(k.description(), MEANING_WIDTH, ' '), keyWidth, valuesWidth, defaultWidth);
        }
        return b.toString();
    }

    private static void row(StringBuilder b, List<String> key, List<String> values, List<String> dflt,
                            List<String> meaning, int keyWidth, int valuesWidth, int defaultWidth) {
        int lines = Math.max(Math.max(key.size(), values.size()), Math.max(dflt.size(), meaning.size()));
        for (int i = 0; i < lines; i++) {
            String line = String.format("%-" + keyWidth + "s  %-" + valuesWidth + "s  %-" + defaultWidth + "s  %s",
                    cell(key, i), cell(values, i), cell(dflt, i), cell(meaning, i));
            b.append(line.stripTrailing()).append('\n');
        }
    }

    private static String cell(List<String> lines, int i) {
        return i < lines.size() ? lines.get(i) : "";
    }

    /**
     * {@code text} in lines of at most {@code width} characters, broken after {@code breakAfter} (which
     * stays on the line, except a space); a piece longer than the width gets a line of its own.
     */
    static List<String> wrap(String text, int width, char breakAfter) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf(breakAfter, start);
            String piece = end < 0 ? text.substring(start) : text.substring(start, end + 1);
            start = end < 0 ? text.length() : end + 1;
            if (line.length() > 0 && line.length() + piece.stripTrailing().length() > width) {
                lines.add(line.toString().stripTrailing());
                line.setLength(0);
            }
            line.append(piece);
        }
        if (line.length() > 0 || lines.isEmpty()) {
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }
}
