/**
 * Communication graphs, mixing matrices W (Metropolis, lazy, uniform, κ-slack) and their spectra (λ, spectral gap; closed forms for structured graphs).
 * May use: the layers below it (comm, io, config, util).
 */
package org.detrain.topology;
