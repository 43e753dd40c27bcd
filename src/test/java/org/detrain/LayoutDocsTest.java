package org.detrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documents that describe the code stay in step with it: every package has its package-info,
 * README's layout table names the packages that exist, and every class docs/algorithms.md points a
 * formula at exists (with the member it names).
 */
class LayoutDocsTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));
    private static final List<Path> SOURCE_ROOTS = List.of(ROOT.resolve("src/main/java"), ROOT.resolve("src/bench/java"));

    /** Packages (dotted, below org.detrain) that hold Java classes, in one source root. */
    private static Set<String> packages(Path sourceRoot) throws IOException {
        Path base = sourceRoot.resolve("org/detrain");
        Set<String> out = new TreeSet<>();
        try (Stream<Path> files = Files.walk(base)) {
            files.filter(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("package-info.java"))
                    .forEach(f -> out.add(base.relativize(f.getParent()).toString().replace('/', '.')));
        }
        return out;
    }

    @Test
    void everyPackageSaysItsJobAndWhatItMayUse() throws IOException {
        for (Path root : SOURCE_ROOTS) {
            for (String p : packages(root)) {
                Path info = root.resolve("org/detrain").resolve(p.replace('.', '/')).resolve("package-info.java");
                assertTrue(Files.exists(info), "package org.detrain." + p + " has no package-info.java: add one"
                        + " (two lines: its job, and which layers it may use)");
                String text = Files.readString(info, StandardCharsets.UTF_8);
                assertTrue(text.contains("package org.detrain." + p + ";"), info + " declares another package");
                assertTrue(text.contains("May use:"), info + " does not say which packages it may use ('May use: ...')");
            }
        }
    }

    @Test
    void readmeLayoutNamesExactlyThePackagesThatExist() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("## Layout of the code");
        assertTrue(start >= 0, "README.md has no 'Layout of the code' section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Set<String> listed = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| ([^|]+) \\|").matcher(section);
        while (row.find()) {
            Matcher name = Pattern.compile("`([a-z.]+)`").matcher(row.group(1));
            while (name.find()) {
                listed.add(name.group(1));
            }
        }
        Set<String> topLevel = new TreeSet<>();
        for (String p : packages(SOURCE_ROOTS.get(0))) {
            topLevel.add(p.contains(".") ? p.substring(0, p.indexOf('.')) : p);
        }
        assertEquals(topLevel, listed, "README.md's 'Layout of the code' table must list the packages of"
                + " src/main/java/org/detrain, one row per layer");
    }

    @Test
    void everyClassTheAlgorithmsDocumentNamesExists() throws IOException {
        String doc = Files.readString(ROOT.resolve("docs/algorithms.md"), StandardCharsets.UTF_8);
        // `pkg.Class`, `Class.member(...)`, `pkg.Class.member`: a capitalised name, optionally one member.
        // Config keys (detag.R) and constants (DPSGD) are not class names: a class has a lower-case letter or a digit.
        Pattern ref = Pattern.compile(
                "`(?:org\\.detrain\\.)?((?:[a-z]+\\.)*)([A-Z](?=[A-Za-z0-9]*[a-z0-9])[A-Za-z0-9]*)(?:\\.([A-Za-z][A-Za-z0-9]*))?");
        Matcher m = ref.matcher(doc);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        while (m.find()) {
            String pkg = m.group(1).isEmpty() ? null : m.group(1).substring(0, m.group(1).length() - 1);
            String cls = m.group(2);
            String member = "java".equals(m.group(3)) ? null : m.group(3); // `D2.java` names the file
            if (pkg != null && !isPackage(pkg)) {
                continue; // a config key such as `detag.R.initial`
            }
            List<Path> found = findClass(pkg, cls);
            if (found.size() != 1) {
                problems.add(m.group() + ": " + (found.isEmpty() ? "no such class" : "ambiguous " + found));
                continue;
            }
            if (member != null && !Files.readString(found.get(0), StandardCharsets.UTF_8).contains(member)) {
                problems.add(m.group() + ": " + found.get(0).getFileName() + " has no " + member);
            }
            checked++;
        }
        assertTrue(problems.isEmpty(), "docs/algorithms.md names code that is not there: " + problems);
        assertTrue(checked > 40, "only " + checked + " class references found");
    }

    private static boolean isPackage(String pkg) {
        for (String tree : List.of("src/main/java", "src/bench/java", "src/test/java")) {
            if (Files.isDirectory(ROOT.resolve(tree).resolve("org/detrain").resolve(pkg.replace('.', '/')))) {
                return true;
            }
        }
        return false;
    }

    /** Source files of that class name (in that package when given) under main, bench and test. */
    private static List<Path> findClass(String pkg, String cls) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String tree : List.of("src/main/java", "src/bench/java", "src/test/java")) {
            Path base = ROOT.resolve(tree).resolve("org/detrain");
            try (Stream<Path> files = Files.walk(base)) {
                files.filter(f -> f.getFileName().toString().equals(cls + ".java"))
                        .filter(f -> pkg == null || base.relativize(f.getParent()).toString().replace('/', '.').equals(pkg))
                        .forEach(out::add);
            }
        }
        return out;
    }
}
