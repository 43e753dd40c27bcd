/**
 * Rank-to-rank communication: the Communicator, its watchdog, the message tags, and starting MPJ jobs (repairing MPJ's multicore message key); only comm touches MPJ.
 * May use: the layers below it (io, config, util); MPJ's classes only in comm.mpj (and, by name, comm.daemon).
 */
package org.detrain.comm;
