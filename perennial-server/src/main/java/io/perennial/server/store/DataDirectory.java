package io.perennial.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A server's data directory, held under an exclusive lock for as long as the server runs.
 *
 * <pre>
 * DIR/perennial.lock          exclusive lock: one server per directory
 * DIR/perennial.db            SQLite (WAL): the event store and the model registry
 * DIR/perennial.db-wal, -shm  SQLite's write-ahead log and index
 * DIR/models/model-N.pmdl     checkpoint of model version N (Checkpoint format)
 * </pre>
 */
public final class DataDirectory implements AutoCloseable {

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Creates the directory if needed and locks it.
   *
   * @throws StoreException when it cannot be created or another process holds it
   */
  public static DataDirectory open(Path root) {
    Path dir = root.toAbsolutePath().normalize();
    FileChannel channel = null;
    try {
      Files.createDirectories(dir.resolve("models"));
      channel = FileChannel.open(dir.resolve("perennial.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new StoreException("data directory " + dir + " is in use by another process (cannot lock "
            + dir.resolve("perennial.lock") + ")");
      }
      removeUnfinishedCheckpoints(dir.resolve("models"));
      return new DataDirectory(dir, channel, lock);
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      throw new StoreException("data directory " + dir + " is already open in this process");
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException("cannot use data directory " + dir + ": " + e.getMessage(), e);
    } catch (StoreException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /**
   * Deletes checkpoint temp files a crash left behind: they were never renamed into place, so no
   * registry row refers to them. Safe only while holding the lock.
   */
  private static void removeUnfinishedCheckpoints(Path models) throws IOException {
    try (DirectoryStream<Path> unfinished = Files.newDirectoryStream(models, ".model-*.tmp")) {
      for (Path p : unfinished) {
        Files.deleteIfExists(p);
      }
    }
  }

  public Path root() {
    return root;
  }

  public Path database() {
    return root.resolve("perennial.db");
  }

  /** Where the checkpoint of model {@code version} lives. */
  public Path checkpoint(long version) {
    return root.resolve("models").resolve("model-" + version + ".pmdl");
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it anyway
    }
    closeQuietly(lockChannel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }
}
