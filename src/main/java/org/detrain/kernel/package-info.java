/**
 * Vector arithmetic and network passes: Aparapi kernels and their Java twins; the only package that touches Aparapi.
 * May use: the layers below it (data, topology, comm, io, config, util).
 */
package org.detrain.kernel;
