package dev.tandem.server.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * Opens the files that Tandem's durable stores write. Production uses {@link #system()}; tests
 * hand in one whose channels fail as a full disk does, which no real folder can be made to do on
 * demand.
 */
@FunctionalInterface
public interface FileOpener {
  FileChannel open(Path file, OpenOption... options) throws IOException;

  /** The file system itself. */
  static FileOpener system() {
    return FileChannel::open;
  }
}
