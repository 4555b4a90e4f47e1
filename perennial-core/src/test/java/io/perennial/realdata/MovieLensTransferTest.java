package io.perennial.realdata;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.DataFormat;
import io.perennial.data.Dataset;
import io.perennial.data.InteractionReaders;
import io.perennial.data.ReadOptions;
import io.perennial.eval.EvalSettings;
import io.perennial.eval.Evaluator;
import io.perennial.eval.Split;
import io.perennial.eval.Splitters;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommender;
import io.perennial.model.Trainer;
import io.perennial.model.TrainingOptions;
import io.perennial.model.transfer.FineTune;
import io.perennial.model.transfer.ItemKey;
import io.perennial.model.transfer.ItemMatch;
import io.perennial.model.transfer.PretrainedTrainer;
import io.perennial.model.transfer.SourceModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's transfer bar on ml-latest-small: iALS pretrained on the odd user ids, then evaluated
 * on the even ones (user-temporal 80/20, 10 % of the training events) with and without the warm
 * start; the pretrained one must reach ≥ 1.1 × the from-scratch NDCG@10. About 20 s on 2 cores.
 */
class MovieLensTransferTest {

  @TempDir Path dir;

  @Test
  void pretrainingOnOtherUsersBeatsScratchAtATenPercentSample() throws IOException {
    Path ratings = RealData.dataset("ml-latest-small").resolve("ratings.csv");
    List<String> lines = Files.readAllLines(ratings);
    List<String> source = new ArrayList<>(List.of(lines.get(0)));
    List<String> target = new ArrayList<>(List.of(lines.get(0)));
    for (String line : lines.subList(1, lines.size())) {
      int user = Integer.parseInt(line.substring(0, line.indexOf(',')));
      (user % 2 == 1 ? source : target).add(line);
    }
    Dataset src = read(Files.write(dir.resolve("source.csv"), source));
    Dataset tgt = read(Files.write(dir.resolve("target.csv"), target));
    assertThat(tgt.userCount()).isEqualTo(305);
    Recommender pretrained = Algorithms.trainer("ials", null).fit(src);
    SourceModel model = SourceModel.of(pretrained, src.users(), src.items());
    Split split = Splitters.sampleTrain(Splitters.userTemporal(tgt.log(), 0.8), 0.1, 42);
    Trainer scratch = Algorithms.trainer("ials", null);
    ItemMatch match = ItemMatch.byKey(ItemKey.ID, src.items(), id -> null, tgt.items(), id -> null);
    Trainer transfer = new PretrainedTrainer(scratch, model, match, null, false, FineTune.parse("prior"), 100f);
    double fromScratch = ndcg(scratch, tgt, split);
    double warm = ndcg(transfer, tgt, split);
    System.out.printf("ml-latest-small transfer at 10 %%: ndcg@10 scratch %.4f, pretrained %.4f (%.2fx)%n",
        fromScratch, warm, warm / fromScratch);
    assertThat(match.count(ItemMatch.Origin.KEY)).isEqualTo(5231);
    assertThat(warm).isGreaterThanOrEqualTo(1.1 * fromScratch);
  }

  private static Dataset read(Path file) {
    return InteractionReaders.read(file, DataFormat.MOVIELENS, ReadOptions.defaults().asImplicit());
  }

  private static double ndcg(Trainer trainer, Dataset data, Split split) {
    return Evaluator.run(trainer, data, List.of(split), EvalSettings.ranking(10), TrainingOptions.silent())
        .metrics().get("ndcg@10");
  }
}
