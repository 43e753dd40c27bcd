package org.detrain.util;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Number formats for tables and titles: fixed rules, independent of the machine's locale. */
public final class Formats {
    private Formats() {
    }

    /**
     * {@code v} to {@code digits} significant digits without trailing zeros: plain notation from
     * 1e-3 to 1e6 ({@code 0.5123}, {@code 1234}), scientific outside ({@code 3.8e-4}); "NaN" for NaN.
     */
    public static String sig(double v, int digits) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros();
        double abs = Math.abs(rounded.doubleValue());
        if (abs >= 1e-3 && abs < 1e6) {
            return rounded.toPlainString();
        }
        // unscaled × 10^-scale, written as m.mmm e exponent
        String unscaled = rounded.unscaledValue().abs().toString();
        int exponent = unscaled.length() - 1 - rounded.scale();
        String mantissa = unscaled.length() == 1 ? unscaled : unscaled.charAt(0) + "." + unscaled.substring(1);
        return (rounded.signum() < 0 ? "-" : "") + mantissa + "e" + exponent;
    }

    /** A byte count in decimal units to 3 significant digits: {@code 512 B}, {@code 1.5 kB}, {@code 3 MB}, {@code 12.3 GB}. */
    public static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "NaN";
        }
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        int u = 0;
        double v = b;
        while (Math.abs(v) >= 999.5 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return sig(v, 3) + " " + units[u];
    }

    /** Plain {@code %.Nf} in the ROOT locale. */
    public static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }
}
