/**
 * niodev without MPJ's daemon: the rank JVM's entry point (RankBoot) that loads MPJ's niodev rewritten to bind the job's address and to prove and demand the job secret on every connection (NiodevRewriter, NiodevGuard), and the launcher's side of the rank rendezvous (Rendezvous).
 * May use: the rest of comm (JobSecret, LauncherWatch) and util; it loads MPJ's classes by name, never the rest of detrain.
 */
package org.detrain.comm.niodev;
