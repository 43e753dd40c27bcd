/**
 * Files: HDF5 through jHDF (whole-file writes, read back before an atomic rename), the checkpoint sets on disk, and AtomicFiles (small files written atomically, trees deleted).
 * May use: the layers below it (config, util).
 */
package org.detrain.io;
