package dev.robin.engine.testkit;

import dev.robin.engine.toolcall.ToolCallExtractor;
import java.util.ArrayList;
import java.util.List;

/** Reads a model's output, given in pieces as it would stream, through a tool-call extractor to its end. */
public final class ToolCallReading {

  private ToolCallReading() {}

  /** All the text and calls {@code extractor} gives for {@code pieces}, then for the end of the output. */
  public static ToolCallExtractor.Output read(ToolCallExtractor extractor, List<String> pieces) {
    StringBuilder content = new StringBuilder();
    List<ToolCallExtractor.Call> calls = new ArrayList<>();
    for (String piece : pieces) {
      ToolCallExtractor.Output out = extractor.push(piece);
      content.append(out.content());
      calls.addAll(out.calls());
    }
    ToolCallExtractor.Output last = extractor.finish();
    content.append(last.content());
    calls.addAll(last.calls());
    return new ToolCallExtractor.Output(content.toString(), calls);
  }
}
