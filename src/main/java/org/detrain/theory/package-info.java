/**
 * detrain theory: what the analysis predicts for a graph and W (λ, η, DeTAG's R, contraction, complexity; docs/algorithms.md).
 * May use: results and the layers below it (algo, gossip, topology, … util); not report or sweep (same layer).
 */
package org.detrain.theory;
