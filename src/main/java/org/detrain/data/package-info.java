/**
 * Datasets (IDX, CIFAR-10 binary, synthetic problems), partitions of the training set among ranks, per-rank samplers.
 * May use: the layers below it (topology, comm, io, config, util).
 */
package org.detrain.data;
