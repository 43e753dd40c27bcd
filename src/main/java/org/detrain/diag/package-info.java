/**
 * Checks of a machine before a long run: the transport check (detrain check) and compute devices (detrain devices).
 * May use: the layers below it (report, theory, sweep, results, algo, … util); not the training path's runner.
 */
package org.detrain.diag;
