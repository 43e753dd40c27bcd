/**
 * The run configuration: every key with its type, range and default (ConfigSchema), and the immutable resolved RunConfig.
 * May use: util.
 */
package org.detrain.config;
