package dev.robin.engine.chat.jinja;

import java.time.DayOfWeek;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/** Python's {@code datetime.strftime} in the C locale, for transformers' {@code strftime_now(format)}. */
public final class Strftime {

  private Strftime() {}

  /** {@code datetime.now().strftime(format)}: the current local time. */
  public static String now(String format) {
    return format(ZonedDateTime.now(), format);
  }

  public static String format(ZonedDateTime t, String format) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        out.append(c);
        continue;
      }
      char d = format.charAt(++i);
      switch (d) {
        case 'a' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'A' -> out.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'w' -> out.append(t.getDayOfWeek().getValue() % 7);
        case 'u' -> out.append(t.getDayOfWeek().getValue());
        case 'd' -> two(out, t.getDayOfMonth());
        case 'e' -> out.append(String.format("%2d", t.getDayOfMonth()));
        case 'b', 'h' -> out.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'B' -> out.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        case 'm' -> two(out, t.getMonthValue());
        case 'y' -> two(out, t.getYear() % 100);
        case 'Y' -> out.append(t.getYear());
        case 'C' -> two(out, t.getYear() / 100);
        case 'H' -> two(out, t.getHour());
        case 'I' -> two(out, t.getHour() % 12 == 0 ? 12 : t.getHour() % 12);
        case 'p' -> out.append(t.getHour() < 12 ? "AM" : "PM");
        case 'M' -> two(out, t.getMinute());
        case 'S' -> two(out, t.getSecond());
        case 'f' -> out.append(String.format("%06d", t.getNano() / 1000));
        case 'j' -> out.append(String.format("%03d", t.getDayOfYear()));
        case 'U' -> two(out, weekOfYear(t, DayOfWeek.SUNDAY));
        case 'W' -> two(out, weekOfYear(t, DayOfWeek.MONDAY));
        case 'V' -> two(out, t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
        case 'G' -> out.append(t.get(IsoFields.WEEK_BASED_YEAR));
        case 'z' -> {
          int seconds = t.getOffset().getTotalSeconds();
          out.append(seconds < 0 ? '-' : '+');
          seconds = Math.abs(seconds);
          two(out, seconds / 3600);
          two(out, seconds / 60 % 60);
        }
        case 'Z' -> out.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
        case 'c' -> out.append(format(t, "%a %b %e %H:%M:%S %Y"));
        case 'x' -> out.append(format(t, "%m/%d/%y"));
        case 'X', 'T' -> out.append(format(t, "%H:%M:%S"));
        case 'D' -> out.append(format(t, "%m/%d/%y"));
        case 'F' -> out.append(format(t, "%Y-%m-%d"));
        case 'R' -> out.append(format(t, "%H:%M"));
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case '%' -> out.append('%');
        default -> out.append('%').append(d);
      }
    }
    return out.toString();
  }

  private static void two(StringBuilder out, int value) {
    if (value < 10) {
      out.append('0');
    }
    out.append(value);
  }

  /** Weeks of the year starting on {@code first}; days before the first such day are in week 0. */
  private static int weekOfYear(ZonedDateTime t, DayOfWeek first) {
    int dayOfYear = t.get(ChronoField.DAY_OF_YEAR) - 1;
    int weekday = (t.getDayOfWeek().getValue() - first.getValue() + 7) % 7;
    return (dayOfYear - weekday + 7) / 7;
  }
}
