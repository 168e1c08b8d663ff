package dev.robin.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A table rendered as Markdown with padded columns: readable in a terminal and pasteable into docs.
 * The first column is left-aligned, the others (numbers) right-aligned.
 */
public final class TextTable {

  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public TextTable(String... header) {
    this.header = List.of(header);
  }

  public TextTable row(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("row has " + cells.length + " cells, header " + header.size());
    }
    List<String> row = new ArrayList<>(cells.length);
    for (Object c : cells) {
      row.add(c instanceof Double d ? format(d) : String.valueOf(c));
    }
    rows.add(row);
    return this;
  }

  /** Numbers with three significant figures at most, but never fewer than the integer digits. */
  public static String format(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format("%.0f", v);
    }
    if (a >= 10) {
      return String.format("%.1f", v);
    }
    return String.format("%.2f", v);
  }

  public String render() {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = Math.max(3, header.get(i).length());
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    line(sb, header, width);
    sb.append('|');
    for (int i = 0; i < width.length; i++) {
      sb.append(i == 0 ? ' ' + "-".repeat(width[i]) + " |" : " " + "-".repeat(width[i] - 1) + ": |");
    }
    sb.append('\n');
    for (List<String> r : rows) {
      line(sb, r, width);
    }
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<String> cells, int[] width) {
    sb.append('|');
    for (int i = 0; i < width.length; i++) {
      String c = cells.get(i);
      String pad = " ".repeat(width[i] - c.length());
      sb.append(' ').append(i == 0 ? c + pad : pad + c).append(" |");
    }
    sb.append('\n');
  }
}
