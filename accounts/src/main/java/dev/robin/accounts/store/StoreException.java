package dev.robin.accounts.store;

/** A store could not be opened, read or written. The message says which store and what failed. */
public class StoreException extends RuntimeException {

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
