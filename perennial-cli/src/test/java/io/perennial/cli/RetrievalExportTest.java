package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.perennial.data.Dataset;
import io.perennial.data.IdIndex;
import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.AbstractRecommender;
import io.perennial.model.Algorithms;
import io.perennial.model.FactorModel;
import io.perennial.model.ModelState;
import io.perennial.model.Recommendations;
import io.perennial.model.Update;
import io.perennial.model.UserQuery;
import io.perennial.model.VectorRetrieval;
import io.perennial.store.EmbeddingExport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export} of an embedding model that is not a factor model (SASRec, NeuMF): the item vectors,
 * item bias and user query vectors its top-K is searched by, which rebuild its retrieval score.
 */
class RetrievalExportTest {

  @TempDir Path dir;
  private static FactorModel bpr;
  private static IdIndex users;
  private static IdIndex items;

  @BeforeAll
  static void train() throws Exception {
    Dataset data = SyntheticGenerator.generate(SyntheticConfig.defaults().withSize(120, 300).withEvents(4_000).withSeed(3));
    bpr = (FactorModel) Algorithms.trainer("bpr", new ObjectMapper().readTree("{\"factors\":8,\"epochs\":3,\"threads\":1}"))
        .fit(data);
    users = IdIndex.of(IntStream.range(0, bpr.userCount()).mapToObj(u -> "user-" + u).toList());
    items = IdIndex.of(IntStream.range(0, bpr.itemCount()).mapToObj(i -> "item-" + i).toList());
  }

  /**
   * An embedding model that is not a {@link FactorModel}: BPR's vectors, its score, no query vector
   * for odd users (as a sequence model has none for a user without a sequence), and optionally a
   * retrieval that asks to be re-ranked (a proxy, as NeuMF's).
   */
  private static final class EmbeddingModel extends AbstractRecommender implements VectorRetrieval {
    private final FactorModel inner;
    private final boolean proxy;

    EmbeddingModel(FactorModel inner, boolean proxy) {
      super(inner.history(), inner.popularity(), inner.userCount(), inner.itemCount());
      this.inner = inner;
      this.proxy = proxy;
    }

    @Override
    public String type() {
      return proxy ? "proxy-embedding" : "embedding";
    }

    @Override
    public float score(int user, int item) {
      return inner.score(user, item);
    }

    @Override
    protected void scoreAll(UserQuery user, float[] out) {
      for (int i = 0; i < itemCount; i++) {
        out[i] = inner.score(user.items().length == 0 ? -1 : user.items()[0], i);
      }
    }

    @Override
    protected UserQuery queryFor(int user) {
      return null;
    }

    @Override
    public Recommendations similarItems(int item, int k) {
      return inner.similarItems(item, k);
    }

    @Override
    public UserQuery foldInUser(int[] items, float[] values) {
      return inner.foldInUser(items, values);
    }

    @Override
    public void partialFit(Update update) {
      throw new UnsupportedOperationException("a fixture");
    }

    @Override
    public ModelState state() {
      throw new UnsupportedOperationException("a fixture");
    }

    @Override
    public int retrievalDims() {
      return inner.retrievalDims();
    }

    @Override
    public float[] retrievalItemVectors() {
      return inner.retrievalItemVectors();
    }

    @Override
    public float[] retrievalItemBias() {
      return inner.retrievalItemBias();
    }

    @Override
    public boolean retrievalQuery(int user, float[] out) {
      return user % 2 == 0 && inner.retrievalQuery(user, out);
    }

    @Override
    public int retrievalCandidates(int k) {
      return proxy ? 20 * k : k;
    }
  }

  private static float[] npy(Path file) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    int dataStart = 10 + bytes.getShort(8);
    float[] values = new float[(bytes.capacity() - dataStart) / 4];
    for (int v = 0; v < values.length; v++) {
      values[v] = bytes.getFloat(dataStart + 4 * v);
    }
    return values;
  }

  @Test
  void npyFilesRebuildTheRetrievalScoreOfEveryUserWithAQueryVector() throws IOException {
    EmbeddingModel model = new EmbeddingModel(bpr, false);
    Path out = dir.resolve("npy");
    String said = ExportCommand.write(model, users, items, out, EmbeddingExport.Format.NPY, dir.resolve("m.pmdl"));
    int half = (model.userCount() + 1) / 2;
    assertThat(said).contains("query vectors of " + half + " of " + model.userCount() + " users");

    JsonNode description = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    assertThat(description.path("type").asText()).isEqualTo("embedding");
    assertThat(description.path("retrieval").asText()).startsWith("ranking");
    int dims = description.path("dims").asInt();
    assertThat(dims).isEqualTo(8);
    JsonNode files = description.path("files");
    float[] queries = npy(out.resolve(files.path("user_queries").asText()));
    float[] vectors = npy(out.resolve(files.path("item_vectors").asText()));
    float[] bias = files.path("item_bias").isNull() ? null : npy(out.resolve(files.path("item_bias").asText()));
    List<String> queried = Files.readAllLines(out.resolve(files.path("user_ids").asText()), StandardCharsets.UTF_8);
    assertThat(Files.readAllLines(out.resolve(files.path("item_ids").asText()))).isEqualTo(items.ids());
    assertThat(queried).hasSize(half).allMatch(id -> Integer.parseInt(id.substring(5)) % 2 == 0);
    assertThat(queries).hasSize(half * dims);
    assertThat(vectors).hasSize(model.itemCount() * dims);

    for (int row = 0; row < queried.size(); row++) {
      int user = users.indexOf(queried.get(row));
      // The model's score is the retrieval score plus terms constant over items.
      float offset = model.score(user, 0) - retrieval(queries, row, vectors, bias, 0, dims);
      for (int item = 0; item < model.itemCount(); item++) {
        assertThat(retrieval(queries, row, vectors, bias, item, dims) + offset).as("user %d item %d", user, item)
            .isCloseTo(model.score(user, item), within(1e-4f));
      }
    }
  }

  private static float retrieval(float[] queries, int row, float[] vectors, float[] bias, int item, int dims) {
    float s = bias == null ? 0 : bias[item];
    for (int d = 0; d < dims; d++) {
      s += queries[row * dims + d] * vectors[item * dims + d];
    }
    return s;
  }

  @Test
  void csvFilesAreKeyedByIdAndAProxySaysItIsReRanked() throws IOException {
    EmbeddingModel model = new EmbeddingModel(bpr, true);
    Path out = dir.resolve("csv");
    ExportCommand.write(model, users, items, out, EmbeddingExport.Format.CSV, dir.resolve("m.pmdl"));
    JsonNode description = new ObjectMapper().readTree(out.resolve("model.json").toFile());
    assertThat(description.path("retrieval").asText()).startsWith("proxy");
    List<String> lines = Files.readAllLines(out.resolve("user_queries.csv"), StandardCharsets.UTF_8);
    assertThat(lines.get(0)).isEqualTo("id,f0,f1,f2,f3,f4,f5,f6,f7");
    List<String> ids = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.split(",");
      ids.add(fields[0]);
      int user = users.indexOf(fields[0]);
      for (int d = 0; d < 8; d++) {
        assertThat(Float.parseFloat(fields[d + 1])).isCloseTo(bpr.userFactors()[user * 8 + d], within(1e-5f));
      }
    }
    assertThat(ids).hasSize((model.userCount() + 1) / 2).contains("user-0").doesNotContain("user-1");
    assertThat(Files.readAllLines(out.resolve("item_vectors.csv"))).hasSize(model.itemCount() + 1);
  }

  @Test
  void aModelWithoutEmbeddingsIsAClearError() throws Exception {
    var pop = Algorithms.trainer("pop", null).fit(SyntheticGenerator.generate(
        SyntheticConfig.defaults().withSize(20, 30).withEvents(200).withSeed(1)));
    assertThatThrownBy(() -> ExportCommand.write(pop, users, items, dir.resolve("x"), EmbeddingExport.Format.NPY,
        Path.of("pop.pmdl"))).isInstanceOf(UserException.class).hasMessageContaining("a pop model has no embeddings");
    assertThat(dir.resolve("x")).doesNotExist();
  }
}
