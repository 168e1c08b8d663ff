package dev.robin.api.request;

import dev.robin.api.guard.RequestGuard;
import dev.robin.api.metrics.ServerMetrics;
import dev.robin.api.config.ServerSettings;

/** What every request actor shares: settings, the usage sink, the metrics and the in-flight set. */
public record RequestServices(
    ServerSettings settings, RequestGuard guard, ServerMetrics metrics, InFlightRequests inFlight) {}
