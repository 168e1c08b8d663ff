package dev.robin.api.metrics;

import dev.robin.api.model.ModelRegistry;
import dev.robin.api.model.ServedModel;
import dev.robin.serving.stats.StepHistogram;
import dev.robin.serving.stats.StepKind;
import dev.robin.serving.stats.StepStats;
import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.function.BiFunction;

/**
 * One per-model histogram with a {@code kind} label, rendered on scrape from the cumulative
 * {@link StepHistogram}s the models publish in their stats: the step loop only ever increments its own
 * arrays, and the scrape copies nothing it does not print.
 */
final class StepHistogramCollector implements Collector {

  private final ModelRegistry models;
  private final String name;
  private final String help;
  private final BiFunction<StepStats, StepKind, StepHistogram> histogram;

  StepHistogramCollector(
      ModelRegistry models, String name, String help, BiFunction<StepStats, StepKind, StepHistogram> histogram) {
    this.models = models;
    this.name = name;
    this.help = help;
    this.histogram = histogram;
  }

  @Override
  public MetricSnapshot collect() {
    HistogramSnapshot.Builder snapshot = HistogramSnapshot.builder().name(name).help(help);
    for (ServedModel model : models.all()) {
      StepStats steps = model.currentStats().steps();
      for (StepKind kind : StepKind.values()) {
        StepHistogram h = histogram.apply(steps, kind);
        double[] bounds = new double[h.numBuckets()];
        for (int i = 0; i < bounds.length; i++) {
          bounds[i] = h.upperBound(i);
        }
        snapshot.dataPoint(
            HistogramDataPointSnapshot.builder()
                .labels(Labels.of("kind", kind.label(), "model", model.id()))
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.bucketCounts()))
                .sum(h.sum())
                .build());
      }
    }
    return snapshot.build();
  }

  @Override
  public String getPrometheusName() {
    return name;
  }
}
