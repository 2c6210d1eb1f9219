package dev.torpor.router.activation;

import java.time.Instant;

/**
 * The last failed load of a model version that has not loaded since.
 *
 * @param attempts  consecutive failed loads
 * @param retryAfter the earliest time a request may trigger the next load
 */
public record LoadFailureView(String version, String reason, Instant at, int attempts, Instant retryAfter) {
}
