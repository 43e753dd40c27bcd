package org.detrain.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.detrain.util.DetrainException;

/**
 * The checkpoint sets of one run, under {@code <run>/ckpt/}:
 * <pre>
 *   ckpt/it-0000000200/rank-0.h5 ... rank-(n-1).h5   one file per rank (atomic writes)
 *   ckpt/it-0000000200/manifest.properties          written last, by rank 0: the set is complete
 *   ckpt/it-0000000100.damaged-&lt;time&gt;/              a set a resume refused, kept for inspection
 * </pre>
 * A set is <em>complete</em> when its manifest exists; the manifest names the config hash, the rank
 * count, the iteration, and each rank file's size and SHA-256, so a resume can prove every byte is
 * as written before trusting a set. Inside each rank file, a {@value #CHECKSUM} attribute holds the
 * {@link H5Digest} of everything else in the file, checked again when a rank loads it.
 */
public final class CheckpointStore {
    /** Root attribute {@code format} of a rank file. */
    public static final String FILE_FORMAT = "detrain-checkpoint/1";
    /** {@code format} of a manifest. */
    public static final String SET_FORMAT = "detrain-checkpoint-set/1";
    /** Root attribute holding the SHA-256 {@link H5Digest} of the rest of the rank file. */
    public static final String CHECKSUM = "checksum";
    public static final String MANIFEST = "manifest.properties";
    private static final Pattern SET_NAME = Pattern.compile("it-(\\d{10})");

    private final Path dir;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    /** What a rank file's root attributes must say. */
    public record Header(String configHash, int ranks, int rank, long iteration) {
    }

    /** Size and SHA-256 (hex) of a file. */
    public record FileDigest(long bytes, String sha256) {
    }

    /** The manifest of a complete set; {@code files.get(r)} describes rank r's file. */
    public record Manifest(long iteration, int ranks, String configHash, String runId, String reason,
                           String writtenAt, List<FileDigest> files) {
    }

    /**
     * The result of looking for a set to resume from: the newest set that verified ({@code -1} if
     * none), and the newer complete sets that did not, with the reason for each.
     */
    public record Selection(long iteration, List<Long> damaged, List<String> reasons) {
        public boolean found() {
            return iteration >= 0;
        }
    }

    public Path dir() {
        return dir;
    }

    public Path setDir(long iteration) {
        return dir.resolve(String.format("it-%010d", iteration));
    }

    public Path rankFile(long iteration, int rank) {
        return setDir(iteration).resolve("rank-" + rank + ".h5");
    }

    public Path manifest(long iteration) {
        return setDir(iteration).resolve(MANIFEST);
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes one rank's file of a set: adds the header attributes and the checksum to
     * {@code content}'s root (so {@code content} is changed), writes it with
     * {@link Hdf5Files#writeAtomically} (temporary file, fsync, read-back check, rename), and
     * returns the size and SHA-256 of the file now on disk. Called during a run: a failure is a
     * run failure (exit 3).
     */
    public FileDigest writeRank(Header header, H5Group content) {
        content.attr("format", FILE_FORMAT);
        content.attr("config_hash", header.configHash());
        content.attr("ranks", (long) header.ranks());
        content.attr("rank", (long) header.rank());
        content.attr("iteration", header.iteration());
        content.attr(CHECKSUM, H5Digest.of(content, Set.of(CHECKSUM)));
        Path file = rankFile(header.iteration(), header.rank());
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw DetrainException.runFailure("cannot create checkpoint directory " + file.getParent() + ": "
                    + AtomicFiles.reason(e, file.getParent().getParent())
                    + "; free space or fix the permissions of the results directory", e);
        }
        Hdf5Files.writeAtomically(file, content);
        return digest(file, AtomicFiles.RUN_FAILURE);
    }

    /** Writes the manifest that marks a set complete: temporary file, fsync, atomic rename, fsync of the directory. */
    public void writeManifest(Manifest m) {
        Properties p = new Properties();
        p.setProperty("format", SET_FORMAT);
        p.setProperty("iteration", Long.toString(m.iteration()));
        p.setProperty("ranks", Integer.toString(m.ranks()));
        p.setProperty("config_hash", m.configHash());
        p.setProperty("run_id", m.runId());
        p.setProperty("reason", m.reason());
        p.setProperty("written_at", m.writtenAt());
        for (int r = 0; r < m.files().size(); r++) {
            p.setProperty("rank." + r + ".file", "rank-" + r + ".h5");
            p.setProperty("rank." + r + ".bytes", Long.toString(m.files().get(r).bytes()));
            p.setProperty("rank." + r + ".sha256", m.files().get(r).sha256());
        }
        p.setProperty(CHECKSUM, propertiesDigest(p));
        StringBuilder text = new StringBuilder("# detrain checkpoint set: complete when this file exists\n");
        for (String key : new java.util.TreeSet<>(p.stringPropertyNames())) {
            String value = p.getProperty(key);
            if (value.contains("\\") || value.contains("\n")) {
                throw new IllegalArgumentException("manifest value of " + key + " contains a backslash or newline");
            }
            text.append(key).append('=').append(value).append('\n');
        }
        AtomicFiles.writeText(manifest(m.iteration()), text.toString());
    }

    /**
     * Keeps the newest {@code keep} complete sets and deletes older complete sets and every
     * incomplete set older than the newest complete one (left by a failed write). Damaged sets
     * that a resume set aside stay.
     */
    public void prune(int keep) {
        List<Long> complete = completeIterations();
        if (complete.isEmpty()) {
            return;
        }
        for (int i = keep; i < complete.size(); i++) {
            AtomicFiles.deleteTree(setDir(complete.get(i)));
        }
        long newest = complete.get(0);
        for (long it : incompleteIterations()) {
            if (it < newest) {
                AtomicFiles.deleteTree(setDir(it));
            }
        }
    }

    /**
     * Deletes every incomplete set (no manifest): what a killed run left half-written. Called while
     * a resume is set up, so a failure is bad input (exit 2).
     */
    public void removeIncomplete() {
        for (long it : incompleteIterations()) {
            AtomicFiles.deleteTree(setDir(it), AtomicFiles.BAD_INPUT);
        }
    }

    /** Renames a set a resume refused to {@code it-N.damaged-<time>} so it is neither used nor deleted. */
    public Path quarantine(long iteration) {
        Path from = setDir(iteration);
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path to = from.resolveSibling(from.getFileName() + ".damaged-" + stamp);
        for (int k = 1; Files.exists(to); k++) {
            to = from.resolveSibling(from.getFileName() + ".damaged-" + stamp + "-" + k);
        }
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw DetrainException.badInput("cannot set the damaged checkpoint " + from + " aside: " + e
                    + "; fix the permissions of the results directory or remove it by hand", e);
        }
        return to;
    }

    // ---------------------------------------------------------------- reading

    /** Iterations of the sets that have a manifest (not yet verified), newest first. */
    public List<Long> completeIterations() {
        return sets(true);
    }

    /** Iterations of the sets without a manifest, newest first. */
    public List<Long> incompleteIterations() {
        return sets(false);
    }

    private List<Long> sets(boolean complete) {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                Matcher m = SET_NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p) && Files.exists(p.resolve(MANIFEST)) == complete) {
                    out.add(Long.parseLong(m.group(1)));
                }
            }
        } catch (IOException e) {
            throw DetrainException.badInput("cannot list checkpoints in " + dir + ": " + e
                    + "; check that the results directory is readable", e);
        }
        out.sort(Comparator.reverseOrder());
        return out;
    }

    /** Reads a set's manifest; a missing field or malformed value is a {@link DetrainException} naming the file. */
    public Manifest readManifest(long iteration) {
        Path file = manifest(iteration);
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw DetrainException.badInput("checkpoint manifest " + file + " is unreadable (" + e + ")", e);
        }
        String stored = p.getProperty(CHECKSUM);
        if (stored == null || !stored.equals(propertiesDigest(p))) {
            throw DetrainException.badInput("checkpoint manifest " + file + " fails its checksum (the file is damaged)");
        }
        try {
            String format = require(file, p, "format");
            if (!SET_FORMAT.equals(format)) {
                throw DetrainException.badInput("checkpoint manifest " + file + " has format '" + format + "', not "
                        + SET_FORMAT + " (written by another detrain version?)");
            }
            int ranks = Integer.parseInt(require(file, p, "ranks"));
            List<FileDigest> files = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                String sha = require(file, p, "rank." + r + ".sha256");
                if (!sha.matches("[0-9a-f]{64}")) {
                    throw DetrainException.badInput("checkpoint manifest " + file + ": rank." + r + ".sha256 is not a SHA-256");
                }
                files.add(new FileDigest(Long.parseLong(require(file, p, "rank." + r + ".bytes")), sha));
            }
            return new Manifest(Long.parseLong(require(file, p, "iteration")), ranks, require(file, p, "config_hash"),
                    require(file, p, "run_id"), require(file, p, "reason"), require(file, p, "written_at"), List.copyOf(files));
        } catch (NumberFormatException e) {
            throw DetrainException.badInput("checkpoint manifest " + file + " holds a malformed number (" + e.getMessage() + ")", e);
        }
    }

    /** SHA-256 of every property but the checksum, as sorted "key=value" lines. */
    private static String propertiesDigest(Properties p) {
        MessageDigest md = H5Digest.sha256();
        p.stringPropertyNames().stream().filter(k -> !k.equals(CHECKSUM)).sorted()
                .forEach(k -> md.update((k + "=" + p.getProperty(k) + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(md.digest());
    }

    private static String require(Path file, Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw DetrainException.badInput("checkpoint manifest " + file + " lacks '" + key + "'");
        }
        return v;
    }

    /**
     * Checks a complete set against its manifest byte for byte. Returns null when the set is
     * sound, or why it is damaged (unreadable manifest, a rank file missing, truncated or with
     * another SHA-256). A sound set written for another configuration or rank count is not damage
     * but the wrong input: that throws a {@link DetrainException} saying so.
     */
    public String verifySet(long iteration, String configHash, int ranks) {
        Manifest m;
        try {
            m = readManifest(iteration);
        } catch (DetrainException e) {
            return e.getMessage();
        }
        if (m.iteration() != iteration) {
            return "manifest " + manifest(iteration) + " says iteration " + m.iteration();
        }
        if (!m.configHash().equals(configHash) || m.ranks() != ranks) {
            throw DetrainException.badInput("checkpoint " + setDir(iteration) + " was written by a run with "
                    + m.ranks() + " ranks and config hash " + m.configHash() + ", but this run has " + ranks
                    + " ranks and config hash " + configHash + ": resume it with the run directory and -np it was"
                    + " written with, or start a new run without --resume");
        }
        for (int r = 0; r < ranks; r++) {
            Path file = rankFile(iteration, r);
            if (!Files.isRegularFile(file)) {
                return file.getFileName() + " of " + setDir(iteration) + " is missing";
            }
            FileDigest expected = m.files().get(r);
            FileDigest actual;
            try {
                actual = digest(file);
            } catch (DetrainException e) {
                return e.getMessage();
            }
            if (actual.bytes() != expected.bytes()) {
                return file + " has " + actual.bytes() + " bytes but the manifest says " + expected.bytes()
                        + " (truncated or overwritten)";
            }
            if (!actual.sha256().equals(expected.sha256())) {
                return file + " fails its SHA-256 check (the file is damaged)";
            }
        }
        return null;
    }

    /**
     * Finds the newest complete set that verifies (see {@link #verifySet}); newer complete sets
     * that fail are reported as damaged. Throws if a set belongs to another config or rank count.
     */
    public Selection select(String configHash, int ranks) {
        List<Long> damaged = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (long it : completeIterations()) {
            String problem = verifySet(it, configHash, ranks);
            if (problem == null) {
                return new Selection(it, List.copyOf(damaged), List.copyOf(reasons));
            }
            damaged.add(it);
            reasons.add(problem);
        }
        return new Selection(-1, List.copyOf(damaged), List.copyOf(reasons));
    }

    /**
     * Reads one rank's file of a set and checks it: format, checksum over all its values, and
     * that the header matches {@code expected}. Returns the whole tree.
     */
    public H5Group readRank(Header expected) {
        Path file = rankFile(expected.iteration(), expected.rank());
        H5Group root = Hdf5Files.read(file);
        String advice = "; resume from another checkpoint set (remove this one) or start afresh";
        if (!root.hasAttribute("format") || !FILE_FORMAT.equals(root.getAttribute("format"))) {
            throw DetrainException.badInput(file + " is not a detrain checkpoint (format "
                    + (root.hasAttribute("format") ? root.getAttribute("format") : "missing") + ")" + advice);
        }
        if (!root.hasAttribute(CHECKSUM) || !H5Digest.of(root, Set.of(CHECKSUM)).equals(root.getAttribute(CHECKSUM))) {
            throw DetrainException.badInput(file + " fails its checksum: the stored values are damaged" + advice);
        }
        String configHash = root.getAttribute("config_hash", String.class);
        long ranks = root.getAttribute("ranks", Long.class);
        long rank = root.getAttribute("rank", Long.class);
        long iteration = root.getAttribute("iteration", Long.class);
        if (!configHash.equals(expected.configHash()) || ranks != expected.ranks() || rank != expected.rank()
                || iteration != expected.iteration()) {
            throw DetrainException.badInput(file + " holds rank " + rank + " of " + ranks + " at iteration " + iteration
                    + " with config hash " + configHash + ", not rank " + expected.rank() + " of " + expected.ranks()
                    + " at iteration " + expected.iteration() + " with config hash " + expected.configHash() + advice);
        }
        return root;
    }

    /** Size and SHA-256 of a file; a file that cannot be read is bad input (exit 2). */
    public static FileDigest digest(Path file) {
        return digest(file, AtomicFiles.BAD_INPUT);
    }

    private static FileDigest digest(Path file, AtomicFiles.Failure failure) {
        MessageDigest md = H5Digest.sha256();
        long bytes = 0;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                bytes += n;
            }
        } catch (IOException e) {
            throw failure.apply("cannot read " + file + ": " + e, e);
        }
        return new FileDigest(bytes, HexFormat.of().formatHex(md.digest()));
    }
}
