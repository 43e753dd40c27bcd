/**
 * detrain report: figures (PNG, PDF, SVG), a Markdown report and a CSV table from runs' metrics.h5, grouped by sweep keys and seeds.
 * May use: results and the layers below it; not theory or sweep (same layer).
 */
package org.detrain.report;
