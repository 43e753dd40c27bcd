/**
 * The training algorithms (D-PSGD, D², DSGT, SGP, DeTAG, DeFacto, AllReduce) as per-rank init/step on explicit state.
 * May use: the layers below it (gossip, model, kernel, data, topology, comm, io, config, util); recurrences: docs/algorithms.md.
 */
package org.detrain.algo;
