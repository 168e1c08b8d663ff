package dev.robin.cluster.ratelimit;

/**
 * Marker of rate-limit messages that cross cluster nodes; bound to Jackson CBOR in the cluster module's
 * reference.conf.
 */
public interface RateLimitMessage {}
