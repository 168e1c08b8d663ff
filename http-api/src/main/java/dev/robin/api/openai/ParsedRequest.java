package dev.robin.api.openai;

import java.util.List;

/** A validated request and the fields it carried that Robin ignores (logged at debug). */
public record ParsedRequest<T>(T request, List<String> ignoredFields) {}
