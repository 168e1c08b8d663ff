package dev.robin.engine.grammar;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the common subset of regular expressions that java.util.regex and ECMAScript (JSON Schema's
 * {@code pattern}) agree on, into a character-level {@link Expr} whose language is the set of strings the
 * expression matches as a whole (a leading {@code ^} and trailing {@code $} are allowed and implied):
 * literals, escapes ({@code \d \w \s \D \W \S \t \n \r \f \xHH}, backslash-u and four hex digits and escaped punctuation), classes with
 * ranges and negation, {@code .}, groups ({@code (...)}, {@code (?:...)}, {@code (?<name>...)}), alternation and
 * the quantifiers {@code ? * + {m} {m,} {m,n}} (lazy forms too: same language). Where the dialects differ the
 * narrower reading is taken ({@code \s} is Java's, {@code \S} excludes ECMAScript's Unicode spaces too, {@code .}
 * excludes both dialects' line terminators), so every generated string matches in both. Backreferences,
 * lookaround, word boundaries, possessive quantifiers, flags and Unicode properties are refused with a
 * {@link GrammarException}.
 */
final class Regex {

  /** Largest repetition count accepted in {@code {m,n}}. */
  static final int MAX_REPEAT = 10_000;

  private final String source;
  private final int[] cps;
  private int pos;

  private Regex(String source) {
    this.source = source;
    this.cps = source.codePoints().toArray();
  }

  /** The character-level expression of {@code regex} (whole-string match). */
  static Expr parse(String regex) {
    Regex r = new Regex(regex);
    return r.parseAll();
  }

  /** The character-level automaton of {@code regex}. */
  static Dfa compile(String regex) {
    return Dfa.of(parse(regex));
  }

  private Expr parseAll() {
    int end = cps.length;
    if (pos < end && cps[pos] == '^') {
      pos++;
    }
    if (end > pos && cps[end - 1] == '$' && !escaped(end - 1)) {
      end--;
    }
    limit = end;
    Expr e = alternation();
    if (pos < limit) {
      throw error("unexpected '" + new String(Character.toChars(cps[pos])) + "'");
    }
    return e;
  }

  private int limit;

  /** Whether the code point at {@code i} is preceded by an odd number of backslashes. */
  private boolean escaped(int i) {
    int n = 0;
    for (int k = i - 1; k >= 0 && cps[k] == '\\'; k--) {
      n++;
    }
    return n % 2 == 1;
  }

  private GrammarException error(String what) {
    return new GrammarException("regular expression /" + source + "/ at offset " + pos + ": " + what);
  }

  private boolean more() {
    return pos < limit;
  }

  private int peek() {
    return cps[pos];
  }

  private Expr alternation() {
    List<Expr> alts = new ArrayList<>();
    alts.add(concatenation());
    while (more() && peek() == '|') {
      pos++;
      alts.add(concatenation());
    }
    return alts.size() == 1 ? alts.get(0) : Expr.alt(alts);
  }

  private Expr concatenation() {
    List<Expr> parts = new ArrayList<>();
    while (more() && peek() != '|' && peek() != ')') {
      parts.add(quantified(atom()));
    }
    return Expr.seq(parts);
  }

  private Expr quantified(Expr atom) {
    Expr e = atom;
    while (more()) {
      int c = peek();
      int min;
      int max;
      if (c == '*') {
        min = 0;
        max = -1;
        pos++;
      } else if (c == '+') {
        min = 1;
        max = -1;
        pos++;
      } else if (c == '?') {
        min = 0;
        max = 1;
        pos++;
      } else if (c == '{') {
        int save = pos;
        pos++;
        min = number();
        if (min < 0) {
          pos = save;
          throw error("'{' that does not start a repetition {m}, {m,} or {m,n} (escape it as \\{)");
        }
        max = min;
        if (more() && peek() == ',') {
          pos++;
          max = more() && peek() == '}' ? -1 : number();
          if (max == -2) {
            throw error("bad repetition bound");
          }
        }
        if (!more() || peek() != '}') {
          throw error("unterminated repetition {m,n}");
        }
        pos++;
        if (max >= 0 && max < min) {
          throw error("repetition {" + min + "," + max + "} has max < min");
        }
        if (min > MAX_REPEAT || max > MAX_REPEAT) {
          throw error("repetition count above " + MAX_REPEAT);
        }
      } else {
        break;
      }
      if (more() && peek() == '?') {
        pos++; // lazy: same language
      } else if (more() && peek() == '+') {
        throw error("possessive quantifiers are not supported");
      }
      e = Expr.repeat(e, min, max);
    }
    return e;
  }

  /** A decimal number, -1 if none here, -2 if too large. */
  private int number() {
    int start = pos;
    long v = 0;
    while (more() && peek() >= '0' && peek() <= '9') {
      v = v * 10 + (peek() - '0');
      if (v > Integer.MAX_VALUE) {
        return -2;
      }
      pos++;
    }
    return pos == start ? -1 : (int) v;
  }

  private Expr atom() {
    int c = peek();
    switch (c) {
      case '(':
        return group();
      case '[':
        return classExpr();
      case '.':
        pos++;
        return CodePointSet.LINE_TERMINATORS.complement().expr();
      case '\\':
        return escapeAtom();
      case '^':
      case '$':
        throw error("anchors are only supported at the start (^) and end ($)");
      case '*':
      case '+':
      case '?':
      case '{':
        throw error("quantifier '" + (char) c + "' without anything to repeat");
      case ']':
      case '}':
        throw error("unbalanced '" + (char) c + "' (escape it)");
      default:
        pos++;
        return Expr.symbol(c);
    }
  }

  private Expr group() {
    pos++;
    if (more() && peek() == '?') {
      pos++;
      if (more() && peek() == ':') {
        pos++;
      } else if (more() && (peek() == '<' || peek() == 'P')) {
        if (peek() == 'P') {
          pos++;
        }
        if (!more() || peek() != '<') {
          throw error("unsupported group syntax");
        }
        pos++;
        if (more() && (peek() == '=' || peek() == '!')) {
          throw error("lookbehind is not supported");
        }
        while (more() && peek() != '>') {
          if (!Character.isLetterOrDigit(peek()) && peek() != '_') {
            throw error("bad group name");
          }
          pos++;
        }
        if (!more()) {
          throw error("unterminated group name");
        }
        pos++;
      } else if (more() && (peek() == '=' || peek() == '!')) {
        throw error("lookahead is not supported");
      } else {
        throw error("inline flags and special groups are not supported");
      }
    }
    Expr e = alternation();
    if (!more() || peek() != ')') {
      throw error("missing ')'");
    }
    pos++;
    return e;
  }

  private Expr escapeAtom() {
    CodePointSet set = escape(false);
    return set.expr();
  }

  /** After a backslash: the set of code points the escape stands for. */
  private CodePointSet escape(boolean inClass) {
    pos++; // the backslash
    if (!more()) {
      throw error("trailing backslash");
    }
    int c = cps[pos++];
    switch (c) {
      case 'd': return CodePointSet.DIGIT;
      case 'D': return CodePointSet.DIGIT.complement();
      case 'w': return CodePointSet.WORD;
      case 'W': return CodePointSet.WORD.complement();
      case 's': return CodePointSet.SPACE;
      case 'S': return CodePointSet.ANY_SPACE.complement();
      case 't': return single('\t');
      case 'n': return single('\n');
      case 'r': return single('\r');
      case 'f': return single('\f');
      case 'x': {
        if (more() && peek() == '{') {
          pos++;
          int v = hex(-1);
          if (!more() || peek() != '}') {
            throw error("unterminated \\x{...}");
          }
          pos++;
          return checked(v);
        }
        return checked(hex(2));
      }
      case 'u':
        return checked(hex(4));
      default:
        if (c < 128 && Character.isLetterOrDigit(c)) {
          pos--;
          throw error("unsupported escape \\" + (char) c
              + " (backreferences, \\b, \\p{..}, \\v and the like are not supported)");
        }
        return single(c); // escaped punctuation or a non-ASCII character stands for itself
    }
  }

  private CodePointSet checked(int v) {
    if (v >= 0xD800 && v <= 0xDFFF) {
      throw error("surrogate code points cannot be matched");
    }
    if (v > Dfa.MAX_CODE_POINT) {
      throw error("code point out of range");
    }
    return single(v);
  }

  private int hex(int digits) {
    int v = 0;
    int n = 0;
    while (more() && (digits < 0 || n < digits) && Character.digit(peek(), 16) >= 0) {
      v = v * 16 + Character.digit(peek(), 16);
      pos++;
      n++;
      if (v > Dfa.MAX_CODE_POINT) {
        throw error("code point out of range");
      }
    }
    if (n == 0 || (digits > 0 && n != digits)) {
      throw error("bad hexadecimal escape");
    }
    return v;
  }

  private static CodePointSet single(int c) {
    return CodePointSet.of(c, c);
  }

  private Expr classExpr() {
    pos++; // [
    boolean negate = false;
    if (more() && peek() == '^') {
      negate = true;
      pos++;
    }
    List<CodePointSet> parts = new ArrayList<>();
    boolean first = true;
    while (true) {
      if (!more()) {
        throw error("missing ']'");
      }
      int c = peek();
      if (c == ']' && !first) {
        pos++;
        break;
      }
      if (c == ']') {
        throw error("empty character class (write \\] for a literal ])");
      }
      if (c == '[') {
        throw error("nested classes are not supported (write \\[ for a literal [)");
      }
      if (c == '&' && pos + 1 < limit && cps[pos + 1] == '&') {
        throw error("class intersection && is not supported");
      }
      first = false;
      CodePointSet lo = classAtom();
      if (more() && peek() == '-' && pos + 1 < limit && cps[pos + 1] != ']') {
        pos++;
        CodePointSet hi = classAtom();
        int a = singleValue(lo);
        int b = singleValue(hi);
        if (a < 0 || b < 0) {
          throw error("a class range needs single characters at both ends");
        }
        if (b < a) {
          throw error("class range out of order");
        }
        parts.add(CodePointSet.of(a, b));
      } else {
        parts.add(lo);
      }
    }
    CodePointSet set = CodePointSet.union(parts);
    return (negate ? set.complement() : set).expr();
  }

  private CodePointSet classAtom() {
    int c = peek();
    if (c == '\\') {
      if (pos + 1 < limit && cps[pos + 1] == 'b') {
        pos += 2;
        return single('\b'); // inside a class \b is backspace in both dialects
      }
      return escape(true);
    }
    pos++;
    return single(c);
  }

  /** The one code point of a single-element set, else -1. */
  private static int singleValue(CodePointSet s) {
    Expr e = s.expr();
    if (e instanceof Expr.Range && ((Expr.Range) e).lo() == ((Expr.Range) e).hi()) {
      return ((Expr.Range) e).lo();
    }
    return -1;
  }
}
