package dev.robin.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import org.junit.jupiter.api.Test;

class ApiBaseTest {

  @Test
  void normalisesToTheV1Base() {
    assertEquals(URI.create("http://h:8080/v1"), ApiBase.of("http://h:8080"));
    assertEquals(URI.create("http://h:8080/v1"), ApiBase.of("http://h:8080/"));
    assertEquals(URI.create("http://h:8080/v1"), ApiBase.of("http://h:8080/v1/"));
    assertEquals(URI.create("https://h/api/v1"), ApiBase.of("https://h/api/v1"));
    assertEquals(URI.create("http://h:1/v1/completions"), ApiBase.resolve(ApiBase.of("http://h:1"), "completions"));
  }

  @Test
  void rejectsWhatIsNotAnHttpUrl() {
    assertThrows(IllegalArgumentException.class, () -> ApiBase.of("localhost:8080"));
    assertThrows(IllegalArgumentException.class, () -> ApiBase.of("ftp://h/"));
    assertThrows(IllegalArgumentException.class, () -> ApiBase.of("http://exa mple"));
  }
}
