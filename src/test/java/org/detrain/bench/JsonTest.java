package org.detrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonTest {
    @Test
    void escapesStringsAsRfc8259Asks() {
        assertEquals("\"a\\\"b\\\\c\\nd\\te\\u0001f\\u001f é\"", Json.write("a\"b\\c\nd\te\u0001f\u001f é"));
    }

    @Test
    void writesNumbersArraysAndNonFiniteAsNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 3);
        m.put("d", 2.5);
        m.put("whole", 1e6);
        m.put("tiny", 1e-20);
        m.put("nan", Double.NaN);
        m.put("runs", new double[] {1, 0.5, Double.POSITIVE_INFINITY});
        m.put("ok", true);
        m.put("none", null);
        assertEquals("{\"i\": 3, \"d\": 2.5, \"whole\": 1000000, \"tiny\": 1.0E-20, \"nan\": null, "
                + "\"runs\": [1, 0.5, null], \"ok\": true, \"none\": null}", Json.write(m));
    }

    @Test
    void topLevelRowsGoOnePerLine() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("rows", List.of(Map.of("a", 1), Map.of("b", "x")));
        assertEquals("{\"rows\": [\n  {\"a\": 1},\n  {\"b\": \"x\"}\n]}", Json.write(doc));
    }

    @Test
    void refusesWhatJsonCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void writesAFileWholeAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("sub/out.json");
        Json.writeFile(out, Map.of("k", "v"));
        assertEquals("{\"k\": \"v\"}\n", Files.readString(out));
        try (var files = Files.list(out.getParent())) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")));
        }
        assertTrue(Files.exists(out));
    }
}
