package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.ItemMetadata;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.ItemStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Items live in the event store's database: durable across a reopen, versioned by update time. */
class ItemStoreTest {

  @TempDir Path dir;

  @Test
  void itemsSurviveAReopenAndAnOlderUpdateNeverOverwritesANewerOne() {
    ItemMetadata dune = new ItemMetadata("7", "Dune", Map.of("plot", "sand"), Map.of("genres", List.of("SF")),
        Map.of("year", 1965.0), List.of("spice"));
    try (DataDirectory data = DataDirectory.open(dir); EventStore store = EventStore.open(data)) {
      ItemStore items = new ItemStore(store);
      assertThat(items.upsert(List.of(new ItemStore.Upsert(dune, 2_000))).join()).containsExactly(true);
      ItemMetadata older = ItemMetadata.titled("7", "Dune, older", List.of());
      ItemMetadata other = ItemMetadata.titled("8", "Emma", List.of("Romance"));
      assertThat(items.upsert(List.of(new ItemStore.Upsert(older, 1_000), new ItemStore.Upsert(other, 1_000))).join())
          .containsExactly(false, true);
    }
    try (DataDirectory data = DataDirectory.open(dir); EventStore store = EventStore.open(data)) {
      ItemStore items = new ItemStore(store);
      assertThat(items.count()).isEqualTo(2);
      ItemStore.StoredItem stored = items.get("7").orElseThrow();
      assertThat(stored.item()).isEqualTo(dune);
      assertThat(stored.updatedMillis()).isEqualTo(2_000);
      assertThat(stored.version()).isEqualTo(1);
      assertThat(items.getAll(List.of("8", "9", "7")).keySet()).containsExactlyInAnyOrder("7", "8");
      ItemMetadata same = ItemMetadata.titled("7", "Dune again", List.of());
      assertThat(items.upsert(List.of(new ItemStore.Upsert(same, 2_000))).join()).as("same time: the later write wins")
          .containsExactly(true);
      assertThat(items.get("7").orElseThrow().version()).isEqualTo(2);
    }
  }
}
