/**
 * The command line: one parser and handler per subcommand (commons-cli), dispatch, and the only code that exits the JVM.
 * May use: every layer below it (launch, runner, diag, report, theory, sweep, results, algo, … util).
 */
package org.detrain.cli;
