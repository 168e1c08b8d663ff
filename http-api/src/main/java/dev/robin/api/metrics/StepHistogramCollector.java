package dev.robin.api.metrics;

import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import dev.robin.serving.stats.ModelStats;
import dev.robin.serving.stats.StepHistogram;
import dev.robin.serving.stats.StepKind;
import dev.robin.serving.stats.StepStats;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One per-model histogram (with a {@code kind} label, or one series per model), rendered on scrape from the
 * cumulative {@link StepHistogram}s the models publish in their stats: the step loop only ever increments its own
 * arrays, and the scrape copies nothing it does not print.
 */
final class StepHistogramCollector implements Collector {

  /** Emits a model's series: each histogram with the labels beside {@code model}. */
  private interface Series {
    void emit(ModelStats stats, BiConsumer<Labels, StepHistogram> out);
  }

  private final ModelRegistry models;
  private final String name;
  private final String help;
  private final Series series;

  private StepHistogramCollector(ModelRegistry models, String name, String help, Series series) {
    this.models = models;
    this.name = name;
    this.help = help;
    this.series = series;
  }

  /** A histogram per model and step kind. */
  StepHistogramCollector(
      ModelRegistry models, String name, String help, BiFunction<StepStats, StepKind, StepHistogram> histogram) {
    this(models, name, help, (Series) (stats, out) -> {
      for (StepKind kind : StepKind.values()) {
        out.accept(Labels.of("kind", kind.label()), histogram.apply(stats.steps(), kind));
      }
    });
  }

  /** One histogram per model. */
  static StepHistogramCollector perModel(
      ModelRegistry models, String name, String help, Function<ModelStats, StepHistogram> histogram) {
    Series series = (stats, out) -> out.accept(Labels.EMPTY, histogram.apply(stats));
    return new StepHistogramCollector(models, name, help, series);
  }

  @Override
  public MetricSnapshot collect() {
    HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help);
    for (ServedModel model : models.all()) {
      series.emit(model.currentStats(), (labels, h) -> {
        double[] bounds = new double[h.numBuckets()];
        for (int i = 0; i < bounds.length; i++) {
          bounds[i] = h.upperBound(i);
        }
        snapshot.dataPoint(
            HistogramDataPointSnapshot.builder()
                .labels(labels.add("model", model.id()))
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.bucketCounts()))
                .sum(h.sum())
                .build());
      });
    }
    return snapshot.build();
  }

  @Override
  public String getPrometheusName() {
    return name;
  }
}
