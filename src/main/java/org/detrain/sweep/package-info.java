/**
 * Sweep files (a base config and axes, one Slurm array task per run), sweep directories (results/<name>-<id>/task-NNN),
 * collecting a sweep into summary.csv/summary.h5, and tuning: the best setting per group as the final runs' sweep (SweepSelect).
 * May use: results and the layers below it; not report or theory (same layer).
 */
package org.detrain.sweep;
