/**
 * The guarded MPJ daemon (detrain daemon): MPJ's own daemon with its socket calls rewritten to one address and the job's hosts.
 * May use: util; it loads MPJ's daemon classes by name, never the rest of detrain.
 */
package org.detrain.comm.daemon;
