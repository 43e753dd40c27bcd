package org.detrain.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FormatsTest {
    @Test
    void significantDigitsPlainInTheMiddleScientificOutside() {
        assertEquals("0.5123", Formats.sig(0.51234, 4));
        assertEquals("1235", Formats.sig(1234.5, 4));
        assertEquals("0.001", Formats.sig(0.001, 4));
        assertEquals("3.8e-4", Formats.sig(3.8049e-4, 2));
        assertEquals("-3.81e-4", Formats.sig(-3.806e-4, 3));
        assertEquals("1.1e10", Formats.sig(1.105e10, 2));
        assertEquals("1e6", Formats.sig(999_999.9, 4));
        assertEquals("0", Formats.sig(0, 4));
        assertEquals("NaN", Formats.sig(Double.NaN, 4));
        assertEquals("20", Formats.sig(20, 4));
    }

    @Test
    void bytesInDecimalUnits() {
        assertEquals("512 B", Formats.bytes(512));
        assertEquals("1.5 kB", Formats.bytes(1500));
        assertEquals("3 MB", Formats.bytes(3_000_000));
        assertEquals("15.1 MB", Formats.bytes(15_072_000));
        assertEquals("12.3 GB", Formats.bytes(12.3e9));
    }
}
