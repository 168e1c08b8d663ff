package dev.robin.api.request;

import java.util.List;

/**
 * One generated token as log-probability reports show it.
 *
 * @param logprob NaN when the model did not compute it
 * @param textOffset character offset of the token's text within the choice's text
 */
record TokenLogprob(String token, double logprob, List<Alternative> top, int textOffset) {

  record Alternative(String token, double logprob) {}
}
