package dev.robin.api.openai;

/** Chat or text completion: decides a response's shape and labels its metrics. */
public enum ResponseKind {
  CHAT,
  TEXT
}
