package org.detrain.util;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns I/O failures into words a user acts on: "permission denied", "No space left on device",
 * "not UTF-8 text (first bad byte at offset N)" instead of Java's bare file name or "Input length = 1".
 */
public final class IoErrors {
    private IoErrors() {
    }

    /** What went wrong, for a message that already names the file or its purpose. */
    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied (" + a.getFile() + ")";
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory (" + n.getFile() + ")";
        }
        if (e instanceof NotDirectoryException n) {
            return "not a directory (" + n.getFile() + ")";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason() + (f.getFile() != null ? " (" + f.getFile() + ")" : "");
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * Reads a text file that must be UTF-8: its lines, a leading byte-order mark dropped. A file
     * that is not UTF-8 is bad input naming the offset of the first bad byte.
     */
    public static List<String> readUtf8Lines(Path file, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw DetrainException.badInput(what + " " + file + " does not exist", e);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot read " + what + " " + file + ": " + describe(e), e);
        }
        String text = decodeUtf8(bytes, file, what);
        List<String> lines = new ArrayList<>(text.lines().toList());
        return lines;
    }

    /** The UTF-8 text of {@code bytes} without a leading BOM; bad input naming the first bad byte otherwise. */
    public static String decodeUtf8(byte[] bytes, Path file, String what) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw DetrainException.badInput(what + " " + file + " is not UTF-8 text (first bad byte at offset "
                    + firstBadByte(bytes) + "); save it as UTF-8", e instanceof MalformedInputException ? e : null);
        }
    }

    /** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
    static int firstBadByte(byte[] bytes) {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(Math.max(16, bytes.length));
        java.nio.charset.CoderResult r = decoder.decode(in, out, true);
        return r.isError() ? in.position() : bytes.length;
    }
}
