/**
 * Mixing on top of comm: neighbour averaging with a rank's row of W, accelerated gossip, push-sum, spanning-tree averaging.
 * May use: the layers below it (model, kernel, data, topology, comm, io, config, util).
 */
package org.detrain.gossip;
