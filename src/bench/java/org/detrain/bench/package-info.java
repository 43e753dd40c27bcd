/**
 * Benchmark programs, packaged apart in detrain-bench.jar: make bench (Bench) and per-pass timing of the Java engine (PassProfile).
 * May use: any package of src/main/java; nothing in src/main/java uses it.
 */
package org.detrain.bench;
