/**
 * Files: HDF5 through jHDF (whole-file writes, read back before an atomic rename) and the checkpoint sets on disk.
 * May use: the layers below it (config, util).
 */
package org.detrain.io;
