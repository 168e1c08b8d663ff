package dev.robin.serving.replica;

/**
 * A message between a request and a model replica, which may live on another node: bound to Jackson CBOR in
 * this module's {@code reference.conf}. Every implementation is a plain record of values, token data and at most
 * one reply {@code ActorRef} (no engine objects), so it serializes as it is.
 */
public interface ReplicaMessage {}
