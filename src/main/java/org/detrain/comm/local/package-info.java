/**
 * An in-process Communicator: n ranks as threads of one JVM, no MPJ, with the same semantics and bits (for fast tests).
 * May use: comm and the layers below it (io, config, util); never MPJ.
 */
package org.detrain.comm.local;
