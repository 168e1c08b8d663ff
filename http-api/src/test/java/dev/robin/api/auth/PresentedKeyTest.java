package dev.robin.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class PresentedKeyTest {

  @Test
  void findsTheKeyInTheContractsOrder() {
    HttpRequest all = HttpRequest.GET("/v1/models?api_key=rk-query")
        .addHeader(RawHeader.create("Authorization", "Bearer rk-bearer"))
        .addHeader(RawHeader.create("x-api-key", "rk-x"))
        .addHeader(RawHeader.create("api-key", "rk-plain"));
    assertEquals(Optional.of("rk-bearer"), PresentedKey.from(all));
    assertEquals(Optional.of("rk-x"), PresentedKey.from(HttpRequest.GET("/v1/models?api_key=rk-query")
        .addHeader(RawHeader.create("x-api-key", "rk-x")).addHeader(RawHeader.create("api-key", "rk-plain"))));
    assertEquals(Optional.of("rk-plain"), PresentedKey.from(HttpRequest.GET("/v1/models")
        .addHeader(RawHeader.create("api-key", " rk-plain "))));
    assertEquals(Optional.of("rk-query"), PresentedKey.from(HttpRequest.GET("/v1/models?api_key=rk-query")));
    assertEquals(Optional.of("rk-b"), PresentedKey.from(HttpRequest.GET("/")
        .addHeader(RawHeader.create("authorization", "bearer   rk-b"))), "scheme is case-insensitive");
  }

  @Test
  void blankOrForeignCredentialsAreNoKey() {
    assertEquals(Optional.empty(), PresentedKey.from(HttpRequest.GET("/v1/models")));
    assertEquals(Optional.empty(), PresentedKey.from(HttpRequest.GET("/v1/models?api_key=")));
    assertEquals(Optional.empty(), PresentedKey.from(HttpRequest.GET("/")
        .addHeader(RawHeader.create("Authorization", "Bearer "))));
    assertEquals(Optional.empty(), PresentedKey.from(HttpRequest.GET("/")
        .addHeader(RawHeader.create("Authorization", "Basic dXNlcjpwYXNz"))));
  }
}
