/**
 * Sweep files (a base config and axes, one Slurm array task per run) and collecting a sweep into summary.csv/summary.h5.
 * May use: results and the layers below it; not report or theory (same layer).
 */
package org.detrain.sweep;
