package dev.robin.accounts.store.embedded;

import dev.robin.accounts.store.StoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Runs blocking JDBC work on a dedicated thread pool and hands back a {@link CompletionStage}, so no actor or HTTP
 * thread ever waits on the database. Each unit of work is one transaction.
 */
final class JdbcRunner implements AutoCloseable {

  /** A unit of JDBC work on a connection whose transaction the runner commits or rolls back. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final ExecutorService executor;

  JdbcRunner(DataSource dataSource, int threads) {
    this.dataSource = dataSource;
    AtomicInteger numThreads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(threads, runnable -> {
      Thread thread = new Thread(runnable, "robin-store-io-" + numThreads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Runs {@code work} in a transaction off the caller's thread; {@code what} names it in errors. */
  <T> CompletionStage<T> transact(String what, Work<T> work) {
    try {
      return CompletableFuture.supplyAsync(() -> runNow(what, work), executor);
    } catch (RejectedExecutionException closed) {
      return CompletableFuture.failedFuture(new StoreException("embedded store is closed: cannot " + what));
    }
  }

  /** Runs {@code work} in a transaction on the calling thread: only for start-up and shutdown. */
  <T> T runNow(String what, Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException failure) {
        connection.rollback();
        throw failure;
      }
    } catch (SQLException failure) {
      throw new StoreException("embedded store failed to " + what + ": " + failure.getMessage(), failure);
    }
  }

  /** Stops accepting work and waits (bounded) for work in flight. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException interrupted) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
