package org.detrain.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PassProfileTest {
    @Test
    void printsEveryPassAndTheStep() {
        PrintStream saved = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            PassProfile.main(new String[] {"lenet-rgb", "5", "6", "2"});
        } finally {
            System.setOut(saved);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("pass 18 conv-dK") && out.contains("samples/s (lenet-rgb, batch 5, 2 thread(s))"), out);
    }
}
