package dev.robin.accounts.store;

/**
 * The key and usage stores of one backend, opened together and closed together. Closing waits for writes in
 * flight and releases files, connections and threads.
 */
public interface Stores extends AutoCloseable {

  KeyStore keys();

  UsageStore usage();

  /** Which backend these are, for logs and health output. */
  StoreSettings.Backend backend();

  @Override
  void close();
}
