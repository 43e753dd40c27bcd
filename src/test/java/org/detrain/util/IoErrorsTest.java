package org.detrain.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoErrorsTest {
    @TempDir
    Path dir;

    @Test
    void notUtf8NamesTheOffsetOfTheFirstBadByte() throws Exception {
        Path f = dir.resolve("latin1.properties");
        Files.write(f, "lr = 0.1\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        DetrainException e = assertThrows(DetrainException.class, () -> IoErrors.readUtf8Lines(f, "config file"));
        assertEquals(DetrainException.BAD_INPUT, e.exitCode());
        assertTrue(e.getMessage().contains("is not UTF-8 text (first bad byte at offset 14)"), e.getMessage());
    }

    @Test
    void aByteOrderMarkIsDropped() throws Exception {
        Path f = dir.resolve("bom.properties");
        Files.write(f, "\uFEFFdataset = cifar10\nlr = 1\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("dataset = cifar10", "lr = 1"), IoErrors.readUtf8Lines(f, "config file"));
    }

    @Test
    void permissionAndSpaceProblemsSaySo() {
        assertEquals("permission denied (/x/config)", IoErrors.describe(new AccessDeniedException("/x/config")));
        assertEquals("No space left on device (/x/ckpt)",
                IoErrors.describe(new FileSystemException("/x/ckpt", null, "No space left on device")));
    }
}
