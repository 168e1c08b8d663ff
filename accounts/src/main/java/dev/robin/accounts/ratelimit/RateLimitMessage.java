package dev.robin.accounts.ratelimit;

/**
 * Marker of rate-limit messages that cross cluster nodes; bound to Jackson CBOR in the accounts module's
 * reference.conf.
 */
public interface RateLimitMessage {}
