package dev.robin.api.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.http.javadsl.model.HttpProtocols;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.junit.jupiter.api.Test;

class ConnectionScopeTest {

  @Test
  void closeRunsEachHookOnceAndForgetsThem() {
    ConnectionScope scope = new ConnectionScope();
    AtomicInteger runs = new AtomicInteger();
    scope.onClose(runs::incrementAndGet);
    scope.onClose(runs::incrementAndGet);
    assertEquals(2, scope.numHooks());
    scope.close();
    scope.close();
    assertEquals(2, runs.get());
    assertEquals(0, scope.numHooks());
    assertTrue(scope.isClosed());
  }

  @Test
  void aCancelledHookNeverRunsAndIsForgotten() {
    ConnectionScope scope = new ConnectionScope();
    AtomicInteger runs = new AtomicInteger();
    for (int i = 0; i < 1000; i++) {
      scope.onClose(runs::incrementAndGet).cancel(); // a keep-alive connection's answered requests
    }
    assertEquals(0, scope.numHooks());
    scope.close();
    assertEquals(0, runs.get());
  }

  @Test
  void aHookRegisteredAfterTheCloseRunsAtOnce() {
    ConnectionScope scope = new ConnectionScope();
    scope.close();
    AtomicInteger runs = new AtomicInteger();
    ConnectionScope.Registration r = scope.onClose(runs::incrementAndGet);
    assertEquals(1, runs.get());
    r.cancel(); // harmless after it ran
    assertEquals(0, scope.numHooks());
  }

  @Test
  void aFailingHookDoesNotStopTheOthers() {
    ConnectionScope scope = new ConnectionScope();
    AtomicInteger runs = new AtomicInteger();
    scope.onClose(() -> {
      throw new IllegalStateException("boom");
    });
    scope.onClose(runs::incrementAndGet);
    scope.close();
    assertEquals(1, runs.get());
  }

  @Test
  void closeRacingCancelsAndRegistrationsRunsEveryHookAtMostOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int round = 0; round < 200; round++) {
        ConnectionScope scope = new ConnectionScope();
        AtomicInteger[] runs = new AtomicInteger[50];
        ConnectionScope.Registration[] regs = new ConnectionScope.Registration[runs.length];
        for (int i = 0; i < runs.length; i++) {
          AtomicInteger counter = runs[i] = new AtomicInteger();
          regs[i] = scope.onClose(counter::incrementAndGet);
        }
        AtomicInteger late = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Future<?> closer = pool.submit(() -> {
          go.await();
          scope.close();
          return null;
        });
        Future<?> canceller = pool.submit(() -> {
          go.await();
          for (ConnectionScope.Registration r : regs) {
            r.cancel();
          }
          return null;
        });
        Future<?> registrar = pool.submit(() -> {
          go.await();
          for (int i = 0; i < 20; i++) {
            scope.onClose(late::incrementAndGet);
          }
          return null;
        });
        go.countDown();
        closer.get();
        canceller.get();
        registrar.get();
        for (AtomicInteger r : runs) {
          assertTrue(r.get() <= 1, "a hook ran twice");
        }
        assertEquals(20, late.get(), "hooks registered around the close all ran, once");
        assertEquals(0, scope.numHooks(), "nothing left registered");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aRequestWithoutAScopeGetsADetachedOneThatKeepsNothing() {
    ConnectionScope scope = ConnectionScope.of(HttpRequest.create("/v1/completions"));
    AtomicInteger runs = new AtomicInteger();
    scope.onClose(runs::incrementAndGet);
    assertEquals(0, scope.numHooks());
    assertFalse(scope.isClosed());
    assertEquals(0, runs.get());
  }

  @Test
  void aRequestCarriesItsConnectionsScope() {
    ConnectionScope scope = new ConnectionScope();
    HttpRequest request = HttpRequest.create("/").addAttribute(ConnectionScope.KEY, scope);
    assertTrue(ConnectionScope.of(request) == scope);
  }

  @Test
  void whichRequestsAskToCloseTheConnection() {
    HttpRequest plain = HttpRequest.create("/");
    assertFalse(ConnectionScopes.asksToClose(plain));
    assertTrue(ConnectionScopes.asksToClose(plain.addHeader(RawHeader.create("Connection", "close"))));
    assertTrue(ConnectionScopes.asksToClose(plain.addHeader(RawHeader.create("Connection", "Close"))));
    HttpRequest http10 = plain.withProtocol(HttpProtocols.HTTP_1_0);
    assertTrue(ConnectionScopes.asksToClose(http10));
    assertFalse(ConnectionScopes.asksToClose(http10.addHeader(RawHeader.create("Connection", "Keep-Alive"))));
  }
}
