package dev.robin.engine.model;

import dev.robin.engine.checkpoint.TensorSource;
import dev.robin.engine.config.ModelConfig;

/**
 * Test-only reference: the Llama/Mistral/Qwen2 forward pass in plain float64 loops, written from the Hugging
 * Face modeling code (RMSNorm, rotate-half RoPE with default/linear/llama3 frequencies, GQA, per-layer sliding
 * window, SiLU MLP), with no DJL and none of the runner's load-time rearrangements. Recomputes the whole
 * sequence each call.
 */
final class NaiveLlama {

  private final ModelConfig c;
  private final double[][] embed; // [vocab][hidden]
  private final double[][] lmHead; // [vocab][hidden]
  private final double[] finalNorm;
  private final Layer[] layers;
  private final double[] invFreq;

  private record Layer(
      double[] inNorm, double[][] q, double[][] k, double[][] v, double[] qb, double[] kb, double[] vb,
      double[][] o, double[] postNorm, double[][] gate, double[][] up, double[][] down) {}

  NaiveLlama(TensorSource src, ModelConfig c) {
    this.c = c;
    int h = c.hiddenSize();
    int qd = c.numAttentionHeads() * c.headDim();
    int kvd = c.numKeyValueHeads() * c.headDim();
    int in = c.intermediateSize();
    embed = matrix(src, "model.embed_tokens.weight", c.vocabSize(), h);
    lmHead = c.tieWordEmbeddings() ? embed : matrix(src, "lm_head.weight", c.vocabSize(), h);
    finalNorm = vector(src, "model.norm.weight", h);
    layers = new Layer[c.numHiddenLayers()];
    for (int l = 0; l < layers.length; l++) {
      String p = "model.layers." + l + ".";
      boolean b = c.attentionBias();
      layers[l] = new Layer(
          vector(src, p + "input_layernorm.weight", h),
          matrix(src, p + "self_attn.q_proj.weight", qd, h),
          matrix(src, p + "self_attn.k_proj.weight", kvd, h),
          matrix(src, p + "self_attn.v_proj.weight", kvd, h),
          b ? vector(src, p + "self_attn.q_proj.bias", qd) : new double[qd],
          b ? vector(src, p + "self_attn.k_proj.bias", kvd) : new double[kvd],
          b ? vector(src, p + "self_attn.v_proj.bias", kvd) : new double[kvd],
          matrix(src, p + "self_attn.o_proj.weight", h, qd),
          vector(src, p + "post_attention_layernorm.weight", h),
          matrix(src, p + "mlp.gate_proj.weight", in, h),
          matrix(src, p + "mlp.up_proj.weight", in, h),
          matrix(src, p + "mlp.down_proj.weight", h, in));
    }
    invFreq = inverseFrequencies(c);
  }

  /** transformers' default, linear and llama3 rope inverse frequencies, written out independently. */
  private static double[] inverseFrequencies(ModelConfig c) {
    int d = c.headDim();
    double[] inv = new double[d / 2];
    for (int i = 0; i < inv.length; i++) {
      inv[i] = 1.0 / Math.pow(c.ropeTheta(), (double) (2 * i) / d);
    }
    ModelConfig.RopeScaling s = c.ropeScaling();
    if (s == null) {
      return inv;
    }
    for (int i = 0; i < inv.length; i++) {
      if (s.type().equals("linear")) {
        inv[i] = inv[i] / s.factor();
        continue;
      }
      double lowWavelen = s.originalMaxPositionEmbeddings() / s.lowFreqFactor();
      double highWavelen = s.originalMaxPositionEmbeddings() / s.highFreqFactor();
      double wavelen = 2 * Math.PI / inv[i];
      double scaled = wavelen > lowWavelen ? inv[i] / s.factor() : inv[i];
      double smooth = (s.originalMaxPositionEmbeddings() / wavelen - s.lowFreqFactor())
          / (s.highFreqFactor() - s.lowFreqFactor());
      boolean medium = !(wavelen < highWavelen) && !(wavelen > lowWavelen);
      inv[i] = medium ? (1 - smooth) * scaled / s.factor() + smooth * scaled : scaled;
    }
    return inv;
  }

  /** Logits of every position of {@code tokens}. */
  double[][] logits(int[] tokens) {
    int n = tokens.length;
    int h = c.hiddenSize();
    int d = c.headDim();
    int heads = c.numAttentionHeads();
    int group = heads / c.numKeyValueHeads();
    double[][] x = new double[n][];
    for (int t = 0; t < n; t++) {
      x[t] = embed[tokens[t]].clone();
    }
    for (int l = 0; l < layers.length; l++) {
      Layer ly = layers[l];
      int window = c.slidingWindowOf(l);
      double[][] q = new double[n][];
      double[][] k = new double[n][];
      double[][] v = new double[n][];
      for (int t = 0; t < n; t++) {
        double[] xn = rmsNorm(x[t], ly.inNorm());
        q[t] = rope(add(matVec(ly.q(), xn), ly.qb()), t);
        k[t] = rope(add(matVec(ly.k(), xn), ly.kb()), t);
        v[t] = add(matVec(ly.v(), xn), ly.vb());
      }
      for (int t = 0; t < n; t++) {
        double[] att = new double[heads * d];
        for (int hh = 0; hh < heads; hh++) {
          int kvh = hh / group;
          // Sliding window: key positions s with t - window < s <= t (transformers' masking_utils).
          int first = window == 0 ? 0 : Math.max(0, t - window + 1);
          double[] scores = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int s = first; s <= t; s++) {
            double dot = 0;
            for (int j = 0; j < d; j++) {
              dot += q[t][hh * d + j] * k[s][kvh * d + j];
            }
            scores[s] = dot / Math.sqrt(d);
            max = Math.max(max, scores[s]);
          }
          double sum = 0;
          for (int s = first; s <= t; s++) {
            scores[s] = Math.exp(scores[s] - max);
            sum += scores[s];
          }
          for (int s = first; s <= t; s++) {
            for (int j = 0; j < d; j++) {
              att[hh * d + j] += scores[s] / sum * v[s][kvh * d + j];
            }
          }
        }
        x[t] = add(x[t], matVec(ly.o(), att));
        double[] xn = rmsNorm(x[t], ly.postNorm());
        double[] g = matVec(ly.gate(), xn);
        double[] u = matVec(ly.up(), xn);
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
        }
        x[t] = add(x[t], matVec(ly.down(), g));
      }
    }
    double[][] out = new double[n][];
    for (int t = 0; t < n; t++) {
      out[t] = matVec(lmHead, rmsNorm(x[t], finalNorm));
    }
    return out;
  }

  private double[] rope(double[] x, int pos) {
    int d = c.headDim();
    int half = d / 2;
    double[] out = x.clone();
    for (int hd = 0; hd < x.length / d; hd++) {
      for (int i = 0; i < half; i++) {
        double a = pos * invFreq[i];
        double x1 = x[hd * d + i];
        double x2 = x[hd * d + half + i];
        out[hd * d + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
        out[hd * d + half + i] = x2 * Math.cos(a) + x1 * Math.sin(a);
      }
    }
    return out;
  }

  private double[] rmsNorm(double[] x, double[] w) {
    double ss = 0;
    for (double e : x) {
      ss += e * e;
    }
    double r = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] * r * w[i];
    }
    return out;
  }

  private static double[] matVec(double[][] m, double[] x) {
    double[] out = new double[m.length];
    for (int r = 0; r < m.length; r++) {
      double s = 0;
      double[] row = m[r];
      for (int j = 0; j < x.length; j++) {
        s += row[j] * x[j];
      }
      out[r] = s;
    }
    return out;
  }

  private static double[] add(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  private static double[][] matrix(TensorSource src, String name, int rows, int cols) {
    float[] d = src.tensor(name, rows, cols).data();
    double[][] m = new double[rows][cols];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        m[r][j] = d[r * cols + j];
      }
    }
    return m;
  }

  private static double[] vector(TensorSource src, String name, int n) {
    float[] d = src.tensor(name, n).data();
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = d[i];
    }
    return v;
  }
}
