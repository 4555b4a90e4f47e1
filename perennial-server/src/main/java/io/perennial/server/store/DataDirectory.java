package io.perennial.server.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A server's data directory, held under an exclusive lock for as long as the server runs.
 *
 * <pre>
 * DIR/perennial.lock          exclusive lock: one server per directory
 * DIR/perennial.db            SQLite (WAL): the event store and the model registry
 * DIR/perennial.db-wal, -shm  SQLite's write-ahead log and index
 * DIR/models/model-N.pmdl     checkpoint of model version N (Checkpoint format)
 * </pre>
 *
 * <p>The store holds raw user ids, so the database and its WAL and index files are the owner's
 * only (0600) like the keys and checkpoints, and a directory created here is 0700.
 */
public final class DataDirectory implements AutoCloseable {

  private static final String DATABASE = "perennial.db";
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

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
      createPrivateDirectory(dir);
      createPrivateDirectory(dir.resolve("models"));
      channel = FileChannel.open(dir.resolve("perennial.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new StoreException("data directory " + dir + " is in use by another process (cannot lock "
            + dir.resolve("perennial.lock") + ")");
      }
      removeUnfinishedCheckpoints(dir.resolve("models"));
      restrictDatabaseFiles(dir);
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

  /** Creates {@code dir} (its parents as the umask says) owner-only; an existing one is left as it is. */
  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir.getParent());
    if (posix(dir.getParent())) {
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectory(dir);
    }
  }

  /**
   * Makes the database owner-only before SQLite opens it: created empty as 0600 (SQLite takes an
   * empty file as a new database and gives its -wal and -shm files the database's mode), or
   * tightened if an older build left it readable by others.
   */
  private static void restrictDatabaseFiles(Path dir) throws IOException {
    if (!posix(dir)) {
      return;
    }
    Path db = dir.resolve(DATABASE);
    if (!Files.exists(db)) {
      Files.createFile(db, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }
    for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
      Path f = dir.resolve(DATABASE + suffix);
      if (Files.exists(f) && !Files.getPosixFilePermissions(f).equals(OWNER_ONLY)) {
        Files.setPosixFilePermissions(f, OWNER_ONLY);
      }
    }
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
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
    return root.resolve(DATABASE);
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
