/**
 * The rank JVM: a rank's plan (one per JVM, shared by its multicore ranks) and set-up, the iteration loop in phases (TrainingLoop), metrics, evaluation, checkpoints and agreed stops.
 * May use: the layers below it (diag, report, theory, sweep, results, algo, … util); never launch or cli.
 */
package org.detrain.runner;
