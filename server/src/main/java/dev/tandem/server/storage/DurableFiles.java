package dev.tandem.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The few file operations that the durability of Tandem's stores rests on, done one way
 * everywhere: complete writes, replacing a file atomically and durably, and syncing a folder so
 * that a new name in it survives a power cut (POSIX: a rename or a create is durable only once
 * the directory itself is fsync'd).
 */
public final class DurableFiles {
  private DurableFiles() {}

  /** What {@link #replace} writes into the new file. */
  @FunctionalInterface
  public interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  /** Writes every byte of {@code bytes}: one {@code write} call may write fewer than asked. */
  public static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Forces a folder's entries (new, renamed and deleted names) to disk. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    }
  }

  /**
   * Replaces {@code target} with new content, so that after a crash it holds either the old or
   * the new content, never a mix: the content goes to a temporary file that is forced to disk,
   * renamed over the target, and the folder is forced. On failure the temporary file is removed
   * and the target is untouched.
   */
  public static void replace(FileOpener opener, Path target, Content content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try {
      try (FileChannel c = opener.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        content.writeTo(c);
        c.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    syncDirectory(target.toAbsolutePath().getParent());
  }

  /**
   * Undoes a failed append: cuts the file back to {@code size}, so that a half-written line does
   * not glue itself to the next one. Returns false when even that failed (the caller then starts
   * its next line on a new line, and the reader skips the torn one).
   */
  public static boolean truncateQuietly(FileChannel channel, long size) {
    try {
      if (channel.isOpen() && channel.size() > size) {
        channel.truncate(size);
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
