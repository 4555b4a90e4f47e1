package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.perennial.data.InteractionType;
import io.perennial.server.store.AppendResult;
import io.perennial.server.store.DataDirectory;
import io.perennial.server.store.EventStore;
import io.perennial.server.store.NewEvent;
import io.perennial.server.store.StoreException;
import io.perennial.server.store.StoredEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventStoreTest {

  @TempDir Path dir;

  static NewEvent event(String id, String user, String item) {
    return new NewEvent(id, user, item, InteractionType.CLICK, 1f, 1_700_000_000L);
  }

  @Test
  void offsetsAreDenseInCommitOrderAndSurviveReopening() {
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      AppendResult a = store.append(List.of(event(null, "u1", "i1"), event(null, "u2", "i2"))).join();
      AppendResult b = store.append(List.of(event(null, "u3", "i3"))).join();
      assertThat(a.lastOffset()).isEqualTo(2);
      assertThat(b.lastOffset()).isEqualTo(3);
    }
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      assertThat(store.count()).isEqualTo(3);
      assertThat(store.lastOffset()).isEqualTo(3);
      List<StoredEvent> after1 = store.readAfter(1, 10);
      assertThat(after1).extracting(StoredEvent::offset).containsExactly(2L, 3L);
      assertThat(after1).extracting(StoredEvent::user).containsExactly("u2", "u3");
      assertThat(store.append(List.of(event(null, "u4", "i4"))).join().lastOffset()).isEqualTo(4);
    }
  }

  @Test
  void theDatabaseAndItsWalAndIndexAreOwnerOnlyAndANewDirectory0700() throws Exception {
    Path data = dir.resolve("new-data");
    try (DataDirectory d = DataDirectory.open(data); EventStore store = EventStore.open(d)) {
      store.append(List.of(event(null, "raw-user-id", "i1"))).join();
      for (String name : new String[] {"perennial.db", "perennial.db-wal", "perennial.db-shm"}) {
        assertThat(data.resolve(name)).as(name).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(name)))).as(name)
            .isEqualTo("rw-------");
      }
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
    }
    // a store an older build left world-readable is tightened when opened
    Files.setPosixFilePermissions(data.resolve("perennial.db"), PosixFilePermissions.fromString("rw-r--r--"));
    try (DataDirectory d = DataDirectory.open(data); EventStore store = EventStore.open(d)) {
      assertThat(store.count()).isEqualTo(1);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("perennial.db"))))
          .isEqualTo("rw-------");
    }
  }

  @Test
  void anEventIdIsStoredOnceAcrossBatchesWithinABatchAndAfterAReopen() {
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      AppendResult first = store.append(List.of(event("e1", "u", "i"), event("e1", "u", "i"), event("e2", "u", "j"))).join();
      assertThat(first.stored()).isEqualTo(2);
      assertThat(first.duplicates()).isEqualTo(1);
    }
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      AppendResult again = store.append(List.of(event("e2", "u", "j"), event("e3", "u", "k"))).join();
      assertThat(again.stored()).isEqualTo(1);
      assertThat(again.lastOffset()).isEqualTo(3);
      assertThat(store.count()).isEqualTo(3);
    }
  }

  @Test
  void concurrentAppendsAreGroupCommittedWithoutLosingAny() {
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
      for (int b = 0; b < 200; b++) {
        List<NewEvent> batch = new ArrayList<>();
        for (int e = 0; e < 10; e++) {
          batch.add(event("b" + b + "e" + e, "u" + e, "i" + b));
        }
        futures.add(store.append(batch));
      }
      futures.forEach(CompletableFuture::join);
      assertThat(store.count()).isEqualTo(2000);
      assertThat(store.readAfter(-1, 5000)).hasSize(2000).extracting(StoredEvent::offset).isSorted();
    }
  }

  @Test
  void aSecondOpenOfTheSameDirectoryIsRefused() {
    try (DataDirectory d = DataDirectory.open(dir)) {
      assertThatThrownBy(() -> DataDirectory.open(dir)).isInstanceOf(StoreException.class).hasMessageContaining("already open");
    }
  }

  @Test
  void aStoreFromAnotherSchemaVersionIsRefusedWithAClearMessage() throws Exception {
    try (DataDirectory d = DataDirectory.open(dir); EventStore store = EventStore.open(d)) {
      store.append(List.of(event(null, "u", "i"))).join();
    }
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("perennial.db")); Statement st = c.createStatement()) {
      st.executeUpdate("PRAGMA user_version = 99");
    }
    try (DataDirectory d = DataDirectory.open(dir)) {
      assertThatThrownBy(() -> EventStore.open(d)).isInstanceOf(StoreException.class)
          .hasMessageContaining("incompatible version").hasMessageContaining("schema 99");
    }
  }

  @Test
  void aFileThatIsNotAPerennialStoreIsRefused() throws Exception {
    try (var c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("perennial.db")); Statement st = c.createStatement()) {
      st.executeUpdate("CREATE TABLE other (x INTEGER)");
    }
    try (DataDirectory d = DataDirectory.open(dir)) {
      assertThatThrownBy(() -> EventStore.open(d)).isInstanceOf(StoreException.class).hasMessageContaining("not a Perennial store");
    }
  }
}
