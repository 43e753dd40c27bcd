/**
 * The Communicator on MPJ Express and every rank's entry point: the only code that imports mpi.* (packaged in detrain-rank.jar).
 * May use: the rest of comm and the layers below it (io, config, util).
 */
package org.detrain.comm.mpj;
