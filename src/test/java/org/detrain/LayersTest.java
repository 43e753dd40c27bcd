package org.detrain;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the code (README, "Layout of the code"; each package-info.java): a package uses
 * only the packages below it, the three on one line (report, theory, sweep) not each other; only
 * comm touches MPJ, only kernel touches Aparapi; nothing in the application uses the benchmark
 * programs. Checked on the compiled main and bench classes.
 */
class LayersTest {
    /** Highest first; a layer may use every layer after it. Lines of one element share a level. */
    private static final List<List<String>> LEVELS = List.of(
            List.of("cli"), List.of("launch"), List.of("runner"), List.of("diag"),
            List.of("report", "theory", "sweep"), List.of("results"), List.of("algo"), List.of("gossip"),
            List.of("model"), List.of("kernel"), List.of("data"), List.of("topology"), List.of("comm"),
            List.of("io"), List.of("config"), List.of("util"));

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS).importPackages("org.detrain");
    }

    /** What {@link #LEVELS} says, as an ArchUnit layered architecture. */
    static LayeredArchitecture layers() {
        LayeredArchitecture arch = layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> level : LEVELS) {
            for (String p : level) {
                arch = arch.layer(p).definedBy("org.detrain." + p + "..");
            }
        }
        arch = arch.layer("bench").definedBy("org.detrain.bench..");
        for (int i = 0; i < LEVELS.size(); i++) {
            String[] above = LEVELS.subList(0, i).stream().flatMap(List::stream).toArray(String[]::new);
            for (String p : LEVELS.get(i)) {
                String[] users = Arrays.copyOf(above, above.length + 1);
                users[above.length] = "bench"; // benchmarks may use anything; nothing uses them
                arch = arch.whereLayer(p).mayOnlyBeAccessedByLayers(users);
            }
        }
        return arch.whereLayer("bench").mayNotBeAccessedByAnyLayer();
    }

    @Test
    void everyPackageUsesOnlyThePackagesBelowIt() {
        layers().check(classes);
    }

    @Test
    void onlyCommTouchesMpjExpress() {
        noClasses().that().resideOutsideOfPackages("org.detrain.comm.mpj..", "org.detrain.comm.daemon..")
                .should().dependOnClassesThat().resideInAnyPackage("mpi..", "mpjdev..", "mpjbuf..", "xdev..",
                        "runtime..", "p2pmpi..", "mpjdaemon..")
                .because("MPJ Express is the transport, and only comm may know it (design.md)")
                .check(classes);
    }

    @Test
    void onlyKernelTouchesAparapi() {
        noClasses().that().resideOutsideOfPackage("org.detrain.kernel..")
                .should().dependOnClassesThat().resideInAPackage("com.aparapi..")
                .because("the OpenCL offload is the kernel layer's business (design.md)")
                .check(classes);
    }
}
