/**
 * Models with one flat float32 parameter vector: loss and gradient of a batch into caller buffers, evaluation, exact optima.
 * May use: the layers below it (kernel, data, topology, comm, io, config, util).
 */
package org.detrain.model;
