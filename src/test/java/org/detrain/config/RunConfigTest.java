package org.detrain.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.detrain.util.DetrainException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunConfigTest {
    @Test
    void defaultsFillEveryKey() {
        RunConfig c = RunConfig.defaults();
        assertEquals(ConfigSchema.KEYS.size(), c.asMap().size());
        assertEquals("ring", c.get("topology"));
        assertEquals(32, c.getInt("batch"));
        assertEquals(0.1, c.getDouble("lr"));
    }

    /** The typed views read the same values as the keys they name (a view reading the wrong key shows here). */
    @Test
    void typedViewsCarryTheResolvedValues() {
        RunConfig c = RunConfig.load(null, List.of("topology=torus", "topology.rows=2", "topology.cols=3", "topology.p=0.25",
                "weights=lazy", "weights.kappa=0.5", "dataset=synthetic-hlsq", "model=linear", "synthetic.samples=77",
                "synthetic.features=5", "synthetic.noise=0.125", "synthetic.heterogeneity=2", "partition.shuffled=40",
                "partition.alpha=0.3", "model.hidden=64,32", "model.l2=0.001", "device=jtp", "threads=3", "seed=11",
                "batch=9", "gradient.exact=true", "iterations=123", "epochs=4", "lr=0.02", "log.every=7", "eval.every=8",
                "eval.local=false", "save.models=false", "checkpoint.every=50", "checkpoint.minutes=2.5",
                "checkpoint.keep=4"));
        assertEquals(new TopologySettings("torus", 2, 3, 0.25, "", "lazy", 0.5), c.topology());
        assertEquals(null, c.topology().edgeFilePath());
        assertEquals(new DataSettings("synthetic-hlsq", "auto", 77, 5, 0.125, 2, "auto", 40, 0.3), c.data());
        assertEquals("by-rank", c.data().partitionScheme(), "auto: data generated per rank is split by rank");
        assertTrue(c.data().generatedPerRank() && !c.data().images());
        assertEquals(new ModelSettings("linear", "64,32", 0.001, "jtp", 3), c.model());
        assertEquals(new TrainingSettings(11, 9, true, 123, 4, 0.02), c.training());
        assertEquals(1, c.training().samplesPerStep(), "an exact gradient is one pass: one sample per step");
        assertEquals(new LoopSettings(7, 8, false, 10_000, false, 50, 2.5, 4), c.loop());
        assertTrue(!c.loop().checkpointByTime() && RunConfig.defaults().loop().checkpointByTime());
        assertEquals("shuffled", RunConfig.defaults().data().partitionScheme());
    }

    @Test
    void fileThenOverridesLaterWins(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("a.properties");
        Files.writeString(f, "# comment\n\nlr = 0.5\n  batch=8  \nTopology = TORUS\n".replace("Topology", "topology"));
        RunConfig c = RunConfig.load(f, List.of("lr=0.25", "batch=16", "lr=0.125"));
        assertEquals(0.125, c.getDouble("lr"));
        assertEquals(16, c.getInt("batch"));
        assertEquals("torus", c.get("topology"), "choices are canonicalised to lower case");
    }

    @Test
    void writtenConfigReadsBackEqualWithTheSameHash(@TempDir Path dir) throws IOException {
        RunConfig c = RunConfig.load(null, List.of("lr=0.05", "partition.shuffled=25", "seed=7"));
        Path f = dir.resolve("resolved.properties");
        Files.writeString(f, c.toPropertiesText());
        RunConfig back = RunConfig.fromFile(f);
        assertEquals(c, back);
        assertEquals(c.hash(), back.hash());
        assertNotEquals(c.hash(), RunConfig.load(null, List.of("lr=0.05", "partition.shuffled=25", "seed=8")).hash());
    }

    @Test
    void unknownKeyNamesTheClosestKnownOne() {
        DetrainException e = assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("bacth=3")));
        assertTrue(e.getMessage().contains("unknown config key 'bacth'") && e.getMessage().contains("'batch'"), e.getMessage());
        DetrainException far = assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("zzzzzzzzzz=3")));
        assertTrue(!far.getMessage().contains("did you mean"), far.getMessage());
    }

    @Test
    void valuesAreCheckedAgainstTypeAndRange() {
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("batch=0")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("batch=2.5")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("lr=0")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("lr=NaN")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("weights.kappa=1.5")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("eval.local=yes")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("weights=random")));
        assertEquals(1.0, RunConfig.load(null, List.of("weights.kappa=1")).getDouble("weights.kappa"));
    }

    @Test
    void inconsistentCombinationsAreRefused() {
        DetrainException e = assertThrows(DetrainException.class,
                () -> RunConfig.load(null, List.of("dataset=synthetic-lsq")));
        assertTrue(e.getMessage().contains("model=linear"), e.getMessage());
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("model=linear")));
        assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("topology=torus", "topology.rows=2")));
    }

    @Test
    void everyKeyIsDocumentedInTheReadme() throws IOException {
        Path readme = Path.of(System.getProperty("user.dir"), "README.md");
        String text = Files.readString(readme);
        for (KeySpec k : ConfigSchema.KEYS) {
            assertTrue(text.contains("`" + k.name() + "`"), "README.md does not document config key " + k.name());
        }
    }

    @Test
    void controlCharactersInSetValuesAreRefusedAndLimitsAreNumbers() {
        DetrainException e = assertThrows(DetrainException.class,
                () -> RunConfig.load(null, List.of("lr=0.1\nmodel=mlp")));
        assertTrue(e.getMessage().contains("control character") && e.getMessage().contains("U+000A"), e.getMessage());
        e = assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("topology=ring\u0007")));
        assertTrue(e.getMessage().contains("(U+0007)") && !e.getMessage().contains("line break"),
                "a bell is not called a line break: " + e.getMessage());
        e = assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("iterations=2147483648")));
        assertTrue(e.getMessage().contains("2147483648 is outside [0, 2147483647]"), e.getMessage());
        e = assertThrows(DetrainException.class, () -> RunConfig.load(null, List.of("synthetic.features=2049")));
        assertTrue(e.getMessage().contains("[1, 2048]"), e.getMessage());
    }
}
