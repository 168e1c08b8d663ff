package dev.robin.engine.chat.jinja;

import java.util.AbstractList;
import java.util.List;

/** A Python tuple: an immutable sequence that prints as {@code (a, b)} and is never equal to a list. */
final class PyTuple extends AbstractList<Object> {

  private final Object[] items;

  PyTuple(Object... items) {
    this.items = items;
  }

  PyTuple(List<?> items) {
    this.items = items.toArray();
  }

  @Override
  public Object get(int index) {
    return items[index];
  }

  @Override
  public int size() {
    return items.length;
  }
}
