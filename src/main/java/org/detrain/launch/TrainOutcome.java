package org.detrain.launch;

import java.nio.file.Path;
import org.detrain.results.RunSummary;

/** A training run that ended well: its directory and what its {@code metrics.h5} says. */
public record TrainOutcome(Path runDir, RunSummary summary) {
}
