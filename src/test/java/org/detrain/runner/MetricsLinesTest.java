package org.detrain.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** metrics.jsonl's lines: valid JSON text (strings escaped), numbers that read back to the same double. */
class MetricsLinesTest {
    @Test
    void numbersReadBackExactlyAndTextIsEscaped() {
        double tiny = Math.nextUp(0.1);
        String line = MetricsLines.line("record").put("run_id", "a \"b\"\\c\nd\u0001").put("iteration", 12L)
                .put("x", tiny).put("v", new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 1e-300})
                .text();
        assertEquals("{\"kind\":\"record\",\"run_id\":\"a \\\"b\\\"\\\\c\\nd\\u0001\",\"iteration\":12,\"x\":"
                + Double.toString(tiny) + ",\"v\":[NaN,Infinity,-Infinity,-0.0,1.0E-300]}", line);
        assertEquals(tiny, Double.parseDouble(Double.toString(tiny)));
    }
}
