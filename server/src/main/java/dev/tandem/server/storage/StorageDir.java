package dev.tandem.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tandem's embedded state folder, held with an exclusive lock for the life of the process: two
 * processes sharing one folder would interleave journals and double-send pages.
 */
public final class StorageDir implements AutoCloseable {
  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private StorageDir(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates the folder if needed and locks it.
   *
   * @throws IOException if it cannot be created, or another process holds it (the message says so)
   */
  public static StorageDir open(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path lockFile = dir.resolve("tandem.lock");
    FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new IOException("storage.dir " + dir + " is in use by another Tandem process (lock "
          + lockFile + "); give each process its own storage.dir");
    }
    return new StorageDir(dir, channel, lock);
  }

  public Path path() {
    return dir;
  }

  public Path resolve(String name) {
    return dir.resolve(name);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
