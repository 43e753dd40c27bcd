/**
 * The run configuration: every key with its type, range and default (ConfigSchema), the immutable resolved RunConfig, and its typed views (TopologySettings, DataSettings, ModelSettings, TrainingSettings, LoopSettings).
 * May use: util.
 */
package org.detrain.config;
