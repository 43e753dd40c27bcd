package org.detrain.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> listing(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ---------------------------------------------------------------- writing

    @Test
    void writesTheTextAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("rank-0.done");
        AtomicFiles.writeText(file, "first\n");
        AtomicFiles.writeText(file, "ok é\n");
        assertEquals("ok é\n", Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(List.of("rank-0.done"), listing(dir));
    }

    @Test
    void createsMissingParentDirectories() throws IOException {
        Path file = dir.resolve("status").resolve("rank-3.pid");
        AtomicFiles.writeText(file, "123 host\n");
        assertEquals("123 host\n", Files.readString(file));
    }

    /**
     * A reader polling the file while it is rewritten over and over sees one of the two contents,
     * whole, every time. A plain Files.writeString (truncate, then write) fails this: the reader
     * catches the file empty or half written.
     */
    @Test
    void aReaderSeesTheOldOrTheNewContentNeverPart() throws Exception {
        Path file = dir.resolve("summary.csv");
        String a = "a".repeat(1 << 20);
        String b = "b".repeat(3 << 19);
        AtomicFiles.writeText(file, a);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            int reads = 0;
            while ((writing.get() || reads < 10) && torn.get() == null) {
                try {
                    String seen = Files.readString(file);
                    if (!seen.equals(a) && !seen.equals(b)) {
                        torn.set(seen.length() + " characters starting '" + seen.substring(0, Math.min(8, seen.length()))
                                + "'");
                    }
                } catch (IOException e) {
                    torn.set(e.toString()); // the name must exist at every moment
                }
                reads++;
            }
        });
        reader.start();
        for (int i = 0; i < 200 && torn.get() == null; i++) {
            AtomicFiles.writeText(file, i % 2 == 0 ? b : a);
        }
        writing.set(false);
        reader.join();
        assertEquals(null, torn.get(), "a reader saw a partial file");
        assertEquals(List.of("summary.csv"), listing(dir));
    }

    @Test
    void aFailedWriteKeepsTheOldContentRemovesTheTemporaryAndNamesFileAndFix() throws IOException {
        Path file = dir.resolve("manifest.properties");
        AtomicFiles.writeText(file, "old\n");
        DetrainException e = assertThrows(DetrainException.class, () -> AtomicFiles.writeText(file, "new\n",
                AtomicFiles.RUN_FAILURE, temporary -> {
                    assertEquals(dir.toAbsolutePath(), temporary.getParent());
                    String name = temporary.getFileName().toString();
                    assertTrue(name.startsWith(".manifest.properties.") && name.endsWith(".tmp"), name);
                    assertEquals("new\n", Files.readString(temporary), "the new content is whole before the rename");
                    assertEquals("old\n", Files.readString(file), "readers still see the old content");
                    throw new FileSystemException(temporary.toString(), null, "No space left on device");
                }));
        assertEquals(DetrainException.RUN_FAILED, e.exitCode());
        assertTrue(e.getMessage().startsWith("cannot write " + file + ": No space left on device"), e.getMessage());
        assertTrue(e.getMessage().contains("free space or fix the permissions of " + dir.toAbsolutePath()), e.getMessage());
        assertEquals("old\n", Files.readString(file));
        assertEquals(List.of("manifest.properties"), listing(dir));
    }

    @Test
    void theCallerChoosesTheExitCode() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("results"), "a file, not a directory");
        Path target = notADirectory.resolve("run.properties");
        DetrainException during = assertThrows(DetrainException.class, () -> AtomicFiles.writeText(target, "x"));
        assertEquals(DetrainException.RUN_FAILED, during.exitCode());
        DetrainException setUp = assertThrows(DetrainException.class,
                () -> AtomicFiles.writeText(target, "x", AtomicFiles.BAD_INPUT));
        assertEquals(DetrainException.BAD_INPUT, setUp.exitCode());
        assertTrue(setUp.getMessage().startsWith("cannot write " + target + ": "), setUp.getMessage());
        assertTrue(setUp.getMessage().contains(notADirectory + " exists and is not a directory"), setUp.getMessage());
        assertEquals(List.of("results"), listing(dir));
    }

    @Test
    void aTargetThatIsADirectoryIsLeftAlone() throws IOException {
        Path target = Files.createDirectory(dir.resolve("rank-0.done"));
        Files.writeString(target.resolve("keep"), "x");
        DetrainException e = assertThrows(DetrainException.class, () -> AtomicFiles.writeText(target, "ok\n"));
        assertTrue(e.getMessage().contains(target + ": it is a directory; remove it"), e.getMessage());
        assertTrue(Files.exists(target.resolve("keep")));
        assertEquals(List.of("rank-0.done"), listing(dir));
    }

    // ---------------------------------------------------------------- deleting

    @Test
    void deletesATreeAndToleratesOneThatIsNotThere() throws IOException {
        Path root = dir.resolve("it-0000000010");
        Files.createDirectories(root.resolve("a/b/c"));
        Files.writeString(root.resolve("a/b/c/rank-0.h5"), "x");
        Files.writeString(root.resolve("manifest.properties"), "y");
        AtomicFiles.deleteTree(root);
        assertFalse(Files.exists(root));
        AtomicFiles.deleteTree(root); // nothing to do
        AtomicFiles.deleteTreeQuietly(root);
        AtomicFiles.deleteTreeQuietly(null);
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void symbolicLinksAreRemovedNotFollowed() throws IOException {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("precious"), "keep me");
        Path root = Files.createDirectories(dir.resolve("scratch"));
        Files.createSymbolicLink(root.resolve("link"), outside);
        Path rootLink = Files.createSymbolicLink(dir.resolve("root-link"), outside);

        AtomicFiles.deleteTree(root);
        AtomicFiles.deleteTree(rootLink);
        assertFalse(Files.exists(root));
        assertFalse(Files.exists(rootLink, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep me", Files.readString(outside.resolve("precious")));
    }

    @Test
    void aFailedDeleteNamesTheTreeTheCulpritAndTheFix() throws IOException {
        Path root = Files.createDirectories(dir.resolve("status"));
        Path stubborn = Files.writeString(root.resolve("rank-0.pid"), "1 h\n");
        AtomicFiles.Deleter refuse = p -> {
            if (p.equals(stubborn)) {
                throw new AccessDeniedException(p.toString());
            }
            Files.deleteIfExists(p);
        };
        DetrainException during = assertThrows(DetrainException.class,
                () -> AtomicFiles.deleteTree(root, AtomicFiles.RUN_FAILURE, refuse));
        assertEquals(DetrainException.RUN_FAILED, during.exitCode());
        assertEquals("cannot delete " + root + ": permission denied on " + stubborn
                + "; fix its permissions or remove it by hand", during.getMessage());
        DetrainException setUp = assertThrows(DetrainException.class,
                () -> AtomicFiles.deleteTree(root, AtomicFiles.BAD_INPUT, refuse));
        assertEquals(DetrainException.BAD_INPUT, setUp.exitCode());
        assertTrue(Files.exists(stubborn));
    }

    @Test
    void reasonsNameTheFileWhereTheJdkGivesOnlyAPath() {
        assertEquals("/x/y does not exist", AtomicFiles.reason(new NoSuchFileException("/x/y"), dir));
        assertEquals("disk quota exceeded (/x/y)",
                AtomicFiles.reason(new FileSystemException("/x/y", null, "disk quota exceeded"), dir));
        assertEquals("boom (in " + dir + ")", AtomicFiles.reason(new IOException("boom"), dir));
    }
}
