package dev.robin.engine.chat.jinja;

/**
 * Jinja2's default {@code Undefined}: prints as nothing, is false, iterates as empty and has length 0;
 * any other use (attribute, item, call, arithmetic, ordering) raises {@code UndefinedError} with the
 * message Jinja2 gives.
 */
final class Undefined {

  private final String message;
  private final String kind;

  Undefined(String message) {
    this(message, "UndefinedError");
  }

  private Undefined(String message, String kind) {
    this.message = message;
    this.kind = kind;
  }

  /** The sandbox's refusal of a method that would change a value ({@code list.append}, {@code dict.update}). */
  static Undefined unsafe(Object obj, String attribute) {
    return new Undefined("access to attribute " + Py.repr(attribute) + " of " + Py.repr(Py.typeName(obj))
        + " object is unsafe.", "SecurityError");
  }

  /** {@code 'name' is undefined}. */
  static Undefined name(String name) {
    return new Undefined("'" + name + "' is undefined");
  }

  /** {@code 'dict object' has no attribute 'x'} (a string key) or {@code list object has no element 5}. */
  static Undefined member(Object obj, Object key) {
    if (key instanceof String s) {
      return new Undefined(Py.repr(Py.objectTypeRepr(obj)) + " has no attribute " + Py.repr(s));
    }
    return new Undefined(Py.objectTypeRepr(obj) + " has no element " + Py.repr(key));
  }

  String message() {
    return message;
  }

  TemplateRuntimeError fail() {
    return new TemplateRuntimeError(kind, message);
  }

  @Override
  public String toString() {
    return "";
  }
}
