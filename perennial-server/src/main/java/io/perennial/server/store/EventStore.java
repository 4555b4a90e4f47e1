package io.perennial.server.store;

import io.perennial.data.InteractionType;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable event log: SQLite in WAL mode with {@code synchronous=FULL}, so a commit returns only
 * after the write-ahead log is fsynced — an acknowledged event survives kill -9 and power loss.
 * Offsets are the table's {@code seq}, assigned in commit order and never reused; an event id seen
 * before is skipped (idempotent ingest).
 *
 * <p>One writer thread owns the write connection and commits whatever batches queued up while the
 * previous commit ran in one transaction (group commit), so the fsync cost is shared under load.
 * Readers use their own connection; WAL lets them read while the writer commits.
 *
 * <p>An append may carry {@link SourceOffsets}: the positions reached in an external log (a Kafka
 * topic's partitions) by the events it holds. They are written in the same transaction as the
 * events, so after any crash the store holds exactly the events before those positions, and a
 * consumer that resumes from {@link #sourceOffsets} neither loses nor repeats one.
 */
public final class EventStore implements AutoCloseable {

  /** Schema this build writes and reads; a store with another one is refused. */
  public static final int SCHEMA_VERSION = 1;
  /** SQLite application id marking the file as Perennial's ("PRNL"). */
  static final int APPLICATION_ID = 0x50524e4c;
  private static final int MAX_EVENTS_PER_COMMIT = 20_000;

  private final Connection writeConnection;
  private final Connection readConnection;
  private final BlockingQueue<Job<?>> queue = new ArrayBlockingQueue<>(4096);
  private final Thread writer;
  private final AtomicLong count = new AtomicLong();
  private final AtomicLong lastOffset = new AtomicLong(-1);
  private final Object appended = new Object();
  private volatile boolean closed;
  private long nextSeq;

  /** Work the writer thread runs on the write connection, inside one transaction. */
  @FunctionalInterface
  interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private static final class Job<T> {
    final List<NewEvent> events;
    final SourceOffsets offsets;
    final SqlWork<T> work;
    final CompletableFuture<T> done = new CompletableFuture<>();

    Job(List<NewEvent> events, SourceOffsets offsets, SqlWork<T> work) {
      this.events = events;
      this.offsets = offsets;
      this.work = work;
    }
  }

  private EventStore(Connection writeConnection, Connection readConnection) throws SQLException {
    this.writeConnection = writeConnection;
    this.readConnection = readConnection;
    try (Statement st = readConnection.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), coalesce(max(seq), 0) FROM events")) {
      rs.next();
      count.set(rs.getLong(1));
      nextSeq = rs.getLong(2) + 1;
      lastOffset.set(rs.getLong(2) == 0 ? -1 : rs.getLong(2));
    }
    try (Statement st = readConnection.createStatement();
        ResultSet rs = st.executeQuery("SELECT seq FROM sqlite_sequence WHERE name = 'events'")) {
      if (rs.next()) {
        nextSeq = Math.max(nextSeq, rs.getLong(1) + 1);
        // the newest events may have been deleted (a user forgotten, a purge): offsets never go back
        lastOffset.set(Math.max(lastOffset.get(), rs.getLong(1) == 0 ? -1 : rs.getLong(1)));
      }
    }
    writer = new Thread(this::writeLoop, "perennial-store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * Opens (creating if needed) the store in {@code dir}.
   *
   * @throws StoreException when the file is not a Perennial store or was written by an
   *     incompatible version
   */
  public static EventStore open(DataDirectory dir) {
    String url = "jdbc:sqlite:" + dir.database();
    try {
      Connection write = DriverManager.getConnection(url, pragmas());
      try {
        migrate(write, dir);
        try (Statement st = write.createStatement()) {
          // deleted rows (a forgotten user, a purge) are overwritten, not left in free pages
          st.execute("PRAGMA secure_delete = ON");
        }
        write.setAutoCommit(false);
        Properties readOnly = pragmas();
        readOnly.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY
        Connection read = DriverManager.getConnection(url, readOnly);
        return new EventStore(write, read);
      } catch (SQLException | StoreException e) {
        write.close();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("cannot open the event store " + dir.database() + ": " + e.getMessage(), e);
    }
  }

  private static Properties pragmas() {
    Properties p = new Properties();
    // WAL: readers never block the writer. synchronous=FULL: every commit fsyncs the WAL, which is
    // what makes an acknowledged event survive power loss (NORMAL survives only a process crash).
    p.setProperty("journal_mode", "WAL");
    p.setProperty("synchronous", "FULL");
    p.setProperty("busy_timeout", "10000");
    p.setProperty("foreign_keys", "true");
    return p;
  }

  private static void migrate(Connection c, DataDirectory dir) throws SQLException {
    try (Statement st = c.createStatement()) {
      int appId;
      try (ResultSet rs = st.executeQuery("PRAGMA application_id")) {
        appId = rs.next() ? rs.getInt(1) : 0;
      }
      boolean empty;
      try (ResultSet rs = st.executeQuery("SELECT count(*) FROM sqlite_master")) {
        empty = rs.next() && rs.getInt(1) == 0;
      }
      if (!empty && appId != APPLICATION_ID) {
        throw new StoreException(dir.database() + " is not a Perennial store (application id "
            + Integer.toHexString(appId) + ")");
      }
      if (!empty) {
        int version;
        try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
          version = rs.next() ? rs.getInt(1) : 0;
        }
        if (version != SCHEMA_VERSION) {
          throw new StoreException(dir.database() + " was written by an incompatible version of Perennial (store schema "
              + version + ", this build reads schema " + SCHEMA_VERSION + ")");
        }
        // added beside schema 1's tables: a build without it never reads the table, so the schema stays 1
        createSourceOffsets(st);
        return;
      }
      st.executeUpdate("PRAGMA application_id = " + APPLICATION_ID);
      st.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
      st.executeUpdate("""
          CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            event_id TEXT UNIQUE,
            user_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            type TEXT NOT NULL,
            value REAL NOT NULL,
            ts INTEGER NOT NULL,
            received_ms INTEGER NOT NULL)""");
      st.executeUpdate("""
          CREATE TABLE models (
            version INTEGER PRIMARY KEY,
            algorithm TEXT NOT NULL,
            kind TEXT NOT NULL,
            parent INTEGER,
            last_offset INTEGER NOT NULL,
            created TEXT NOT NULL,
            metrics TEXT NOT NULL,
            provenance TEXT NOT NULL)""");
      st.executeUpdate("CREATE TABLE registry (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      createSourceOffsets(st);
    }
  }

  private static void createSourceOffsets(Statement st) throws SQLException {
    st.executeUpdate("""
        CREATE TABLE IF NOT EXISTS source_offsets (
          source TEXT NOT NULL,
          partition INTEGER NOT NULL,
          next_offset INTEGER NOT NULL,
          PRIMARY KEY (source, partition))""");
  }

  /**
   * Queues events for the next group commit. The future completes once they are durable (or
   * fails); acknowledge a client only then.
   */
  public CompletableFuture<AppendResult> append(List<NewEvent> events) {
    Job<AppendResult> job = new Job<>(List.copyOf(events), null, null);
    enqueue(job);
    return job.done;
  }

  /**
   * As {@link #append(List)}, recording {@code offsets} (the source positions after these events)
   * in the same transaction: either both are durable or neither is.
   */
  public CompletableFuture<AppendResult> append(List<NewEvent> events, SourceOffsets offsets) {
    Job<AppendResult> job = new Job<>(List.copyOf(events), offsets, null);
    enqueue(job);
    return job.done;
  }

  /** The next offset to read of each partition of {@code source}, as last committed (empty when never). */
  public Map<Integer, Long> sourceOffsets(String source) {
    return read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT partition, next_offset FROM source_offsets WHERE source = ? ORDER BY partition")) {
        ps.setString(1, source);
        Map<Integer, Long> out = new TreeMap<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.put(rs.getInt(1), rs.getLong(2));
          }
        }
        return out;
      }
    });
  }

  /** Writes waiting for the writer thread (appends and registry writes): how far the store is behind. */
  public int queuedWrites() {
    return queue.size();
  }

  /** Runs {@code work} on the writer thread in its own transaction (the registry's writes). */
  <T> CompletableFuture<T> write(SqlWork<T> work) {
    Job<T> job = new Job<>(null, null, work);
    enqueue(job);
    return job.done;
  }

  /** Runs {@code work} on the read connection. */
  synchronized <T> T read(SqlWork<T> work) {
    if (closed) {
      throw new StoreException("the event store is closed");
    }
    try {
      return work.run(readConnection);
    } catch (SQLException e) {
      throw new StoreException("event store read failed: " + e.getMessage(), e);
    }
  }

  private void enqueue(Job<?> job) {
    if (closed) {
      throw new StoreException("the event store is closed");
    }
    try {
      queue.put(job);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while queueing a write");
    }
  }

  /** Events with offset greater than {@code after}, in offset order, at most {@code limit}. */
  public List<StoredEvent> readAfter(long after, int limit) {
    return read(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT seq, user_id, item_id, type, value, ts, received_ms FROM events WHERE seq > ? ORDER BY seq LIMIT ?")) {
        ps.setLong(1, after);
        ps.setInt(2, limit);
        List<StoredEvent> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new StoredEvent(rs.getLong(1), rs.getString(2), rs.getString(3), InteractionType.parse(rs.getString(4)),
                rs.getFloat(5), rs.getLong(6), rs.getLong(7)));
          }
        }
        return out;
      }
    });
  }

  /**
   * Copies the write-ahead log into the database and truncates it, on the writer thread outside
   * any transaction: after a deletion, the log's older page images would otherwise keep the
   * deleted rows until SQLite's next automatic checkpoint.
   */
  CompletableFuture<Void> truncateLog() {
    return write(c -> {
      c.commit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      } finally {
        c.setAutoCommit(false);
      }
      return null;
    });
  }

  /** Counts events a committed transaction deleted (a deletion or a purge). */
  void removed(long events) {
    count.addAndGet(-events);
  }

  /** Events stored. */
  public long count() {
    return count.get();
  }

  /** Offset of the newest stored event (-1 when empty). */
  public long lastOffset() {
    return lastOffset.get();
  }

  /** Waits until an event after {@code offset} is stored or the timeout passes. */
  public void awaitAfter(long offset, long timeoutMillis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (appended) {
      while (lastOffset.get() <= offset && !closed) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return;
        }
        appended.wait(left);
      }
    }
  }

  private void writeLoop() {
    List<Job<?>> jobs = new ArrayList<>();
    while (!closed || !queue.isEmpty()) {
      try {
        Job<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        jobs.add(first);
        if (first.events != null) {
          int events = first.events.size();
          // group commit: take every event batch already waiting, up to a bound
          while (events < MAX_EVENTS_PER_COMMIT && queue.peek() != null && queue.peek().events != null) {
            Job<?> next = queue.poll();
            jobs.add(next);
            events += next.events.size();
          }
          commitEvents(jobs);
        } else {
          runWork(first);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        jobs.clear();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private void commitEvents(List<Job<?>> jobs) {
    long seqBefore = nextSeq;
    long now = System.currentTimeMillis();
    List<AppendResult> results = new ArrayList<>(jobs.size());
    try (PreparedStatement insert = writeConnection.prepareStatement(
        "INSERT OR IGNORE INTO events (seq, event_id, user_id, item_id, type, value, ts, received_ms) VALUES (?,?,?,?,?,?,?,?)")) {
      long stored = 0;
      for (Job<?> job : jobs) {
        int ok = 0;
        long last = -1;
        for (NewEvent e : job.events) {
          insert.setLong(1, nextSeq);
          insert.setString(2, e.eventId());
          insert.setString(3, e.user());
          insert.setString(4, e.item());
          insert.setString(5, e.type().wireName());
          insert.setFloat(6, e.value());
          insert.setLong(7, e.timestamp());
          insert.setLong(8, now);
          if (insert.executeUpdate() == 1) {
            last = nextSeq++;
            ok++;
          }
        }
        stored += ok;
        results.add(new AppendResult(ok, job.events.size() - ok, last));
      }
      recordSourceOffsets(jobs);
      writeConnection.commit();
      count.addAndGet(stored);
      if (stored > 0) {
        lastOffset.set(nextSeq - 1);
        synchronized (appended) {
          appended.notifyAll();
        }
      }
    } catch (SQLException e) {
      nextSeq = seqBefore;
      rollbackQuietly();
      StoreException failure = new StoreException("could not commit events: " + e.getMessage(), e);
      jobs.forEach(j -> j.done.completeExceptionally(failure));
      return;
    }
    for (int i = 0; i < jobs.size(); i++) {
      ((Job<AppendResult>) jobs.get(i)).done.complete(results.get(i));
    }
  }

  private void recordSourceOffsets(List<Job<?>> jobs) throws SQLException {
    try (PreparedStatement upsert = writeConnection.prepareStatement(
        "INSERT INTO source_offsets (source, partition, next_offset) VALUES (?,?,?) "
            + "ON CONFLICT (source, partition) DO UPDATE SET next_offset = excluded.next_offset")) {
      boolean any = false;
      for (Job<?> job : jobs) {
        if (job.offsets == null) {
          continue;
        }
        for (Map.Entry<Integer, Long> p : job.offsets.nextOffsets().entrySet()) {
          upsert.setString(1, job.offsets.source());
          upsert.setInt(2, p.getKey());
          upsert.setLong(3, p.getValue());
          upsert.addBatch();
          any = true;
        }
      }
      if (any) {
        upsert.executeBatch();
      }
    }
  }

  private <T> void runWork(Job<T> job) {
    try {
      T result = job.work.run(writeConnection);
      writeConnection.commit();
      job.done.complete(result);
    } catch (SQLException | RuntimeException e) {
      rollbackQuietly();
      job.done.completeExceptionally(e instanceof StoreException se ? se
          : new StoreException("store write failed: " + e.getMessage(), e));
    }
  }

  private void rollbackQuietly() {
    try {
      writeConnection.rollback();
    } catch (SQLException ignored) {
      // the connection is unusable anyway; the next commit reports it
    }
  }

  /** Commits what is queued, then closes both connections. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (appended) {
      appended.notifyAll();
    }
    try {
      writer.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      try {
        readConnection.close();
        writeConnection.close();
      } catch (SQLException ignored) {
        // closing: nothing more to lose, every acknowledged commit is already durable
      }
    }
  }
}
