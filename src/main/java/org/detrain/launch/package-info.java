/**
 * The launcher JVM: checks a run (and whether it fits in memory) before anything is written, starts and supervises the rank JVMs, renders progress.
 * May use: runner, diag and the layers below them; never cli (it runs in this JVM but sits above).
 */
package org.detrain.launch;
