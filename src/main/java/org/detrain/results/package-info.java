/**
 * What a run leaves behind: the metrics.h5 schema (MetricsSchema), the run directory layout, launch provenance, the release version, the end-of-run summary;
 * how a run ended (RunState) and where the runs a user names are (RunFinder: directories, globs, Slurm ids).
 * May use: the layers below it (algo, gossip, model, kernel, data, topology, comm, io, config, util).
 */
package org.detrain.results;
