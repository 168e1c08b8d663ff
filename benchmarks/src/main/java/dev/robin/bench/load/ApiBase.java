package dev.robin.bench.load;

import java.net.URI;

/** The API base URL a user gives ({@code http://host:port}, {@code …/v1} or {@code …/api/v1}), normalised. */
public final class ApiBase {

  private ApiBase() {}

  /**
   * Normalises a server URL to the API base: a URL without a path gets {@code /v1}; one that already ends
   * in {@code /v1} is kept.
   *
   * @throws IllegalArgumentException for anything but an absolute http(s) URL
   */
  public static URI of(String url) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + url, e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("not an http(s) URL with a host: " + url);
    }
    String path = uri.getPath() == null ? "" : uri.getPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (!path.endsWith("/v1")) {
      path = path + "/v1";
    }
    return URI.create(scheme + "://" + uri.getRawAuthority() + path);
  }

  /** {@code base + "/" + route}, e.g. {@code completions}. */
  public static URI resolve(URI apiBase, String route) {
    String base = apiBase.toString();
    return URI.create(base.endsWith("/") ? base + route : base + "/" + route);
  }
}
