package org.detrain.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.detrain.runner.TrainingRun;

class ProgressRendererTest {
    @Test
    void rendersAProgressLineAndRefusesAGarbledOne() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressRenderer r = new ProgressRenderer(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        assertTrue(r.update(TrainingRun.PROGRESS + " 10 100 0.1000 1.5 2.0 0.71"));
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("iter 10/100") && shown.contains("test acc 0.71"), shown);
        // a JVM diagnostic written into the middle of the line by another thread
        assertFalse(r.update(TrainingRun.PROGRESS + " 20   1010 1290 3 org.detrain.kernel.Foo::bar (5 bytes)"));
        assertFalse(r.update(TrainingRun.PROGRESS + " 20 100"));
        assertEquals(shown, bytes.toString(StandardCharsets.UTF_8), "nothing shown for the garbled lines");
    }
}
