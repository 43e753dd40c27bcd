package org.detrain.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchArgumentsTest {
    private static String error(String... args) {
        return assertThrows(Bench.BadArguments.class, () -> Bench.parse(args)).getMessage();
    }

    @Test
    void defaultsAndValues() throws Exception {
        Bench.Settings s = Bench.parse(new String[] {"--models", "mlp,lenet", "--batches", "32,512", "--devices", "gpu,java",
                "--java-threads", "1", "--mix-devices", "", "--seconds", "0.5", "--repeats", "5", "--out", "x.json"});
        assertEquals(List.of("mlp", "lenet"), s.models());
        assertEquals(List.of(32, 512), s.batches());
        assertEquals(List.of("gpu", "java"), s.devices());
        assertEquals(List.of(), s.mixDevices());
        assertEquals(0.5, s.seconds());
        assertEquals(5, s.repeats());
        assertEquals(Path.of("x.json"), s.out());
        Bench.Settings d = Bench.parse(new String[0]);
        assertEquals(List.of("softmax", "mlp", "lenet"), d.models());
        assertEquals(List.of(1, 2), d.javaThreads());
        assertNull(d.out());
    }

    @Test
    void badArgumentsNameTheOptionAndTheProblem() {
        assertEquals("--batches: 'x' is not a positive whole number", error("--batches", "32,x"));
        assertEquals("--batches: '0' is not a positive whole number", error("--batches", "0"));
        assertEquals("--models: 'resnet' is not one of softmax, mlp, lenet", error("--models", "resnet"));
        assertEquals("--devices: 'gpuu' is not one of auto, gpu, cpu, jtp, java", error("--devices", "gpuu"));
        assertEquals("--seconds: '-1' is not a positive number", error("--seconds", "-1"));
        assertTrue(error("--modles", "mlp").contains("--modles"));
        assertTrue(error("--seconds").contains("seconds"));
        assertEquals("unexpected argument mlp (options start with --)", error("mlp"));
    }

    @Test
    void helpListsEveryOption() throws Exception {
        assertNull(Bench.parse(new String[] {"--help"}));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Bench.printHelp(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String help = bytes.toString(StandardCharsets.UTF_8);
        for (String option : List.of("--out", "--models", "--batches", "--devices", "--java-threads", "--mix-devices",
                "--seconds", "--repeats", "--data", "--hidden", "--help")) {
            assertTrue(help.contains(option), option + " in\n" + help);
        }
    }
}
