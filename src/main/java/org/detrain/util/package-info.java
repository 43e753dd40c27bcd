/**
 * What every layer shares: the one exception type and its exit codes, a fully specified RNG, number formats, stop signals.
 * May use: nothing of detrain (the bottom layer).
 */
package org.detrain.util;
