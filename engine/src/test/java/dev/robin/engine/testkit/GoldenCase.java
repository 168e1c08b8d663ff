package dev.robin.engine.testkit;

/** A golden prompt and the greedy tokens (and text) llama2.c generates after it with stories260k. */
public record GoldenCase(String prompt, int[] promptIds, int[] outputIds, String outputText) {}
