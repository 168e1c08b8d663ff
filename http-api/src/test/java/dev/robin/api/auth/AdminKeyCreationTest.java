package dev.robin.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code robin.store.keys.creation = admin}: only the admin token creates keys. */
class AdminKeyCreationTest {

  @TempDir
  static Path dataDir;

  private static AuthTestServer server;

  @BeforeAll
  static void start() {
    server = new AuthTestServer(dataDir, "robin.store.keys.creation = admin\n");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static int create(String authorization) {
    HttpRequest.Builder request = server.request("/v1/keys").POST(HttpRequest.BodyPublishers.ofString(""));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return server.send(request.build()).statusCode();
  }

  @Test
  void onlyTheAdminTokenCreatesKeys() {
    assertEquals(401, create(null));
    assertEquals(401, create("Bearer wrong-token"));
    assertEquals(201, create("Bearer " + AuthTestServer.ADMIN_TOKEN));
  }
}
