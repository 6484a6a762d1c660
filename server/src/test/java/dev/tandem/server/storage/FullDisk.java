package dev.tandem.server.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link FileOpener} whose channels fail as a full disk does, on demand: while {@link #fill()}
 * is in effect every write fails with "No space left on device" after writing half of what it was
 * given (a partial write, the worst case for a line-oriented file), and every force fails too.
 * It also counts the forces that succeeded, so that tests can see data being synced.
 */
public final class FullDisk implements FileOpener {
  private final AtomicBoolean full = new AtomicBoolean();
  private final AtomicLong forces = new AtomicLong();
  private final AtomicLong failedWrites = new AtomicLong();

  public void fill() {
    full.set(true);
  }

  public void free() {
    full.set(false);
  }

  /** Forces that reached the disk. */
  public long forces() {
    return forces.get();
  }

  public long failedWrites() {
    return failedWrites.get();
  }

  @Override
  public FileChannel open(Path file, OpenOption... options) throws IOException {
    return new Channel(FileChannel.open(file, options));
  }

  private IOException noSpace() {
    failedWrites.incrementAndGet();
    return new IOException("No space left on device");
  }

  private final class Channel extends FileChannel {
    private final FileChannel d;

    Channel(FileChannel d) {
      this.d = d;
    }

    /** Full: half of the bytes land (a real disk fills up mid-write), then the error. */
    @Override
    public int write(ByteBuffer src) throws IOException {
      if (!full.get()) {
        return d.write(src);
      }
      int half = src.remaining() / 2;
      if (half > 0) {
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + half);
        d.write(part);
      }
      throw noSpace();
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      if (full.get()) {
        throw noSpace();
      }
      return d.write(src, position);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      if (full.get()) {
        throw noSpace();
      }
      return d.write(srcs, offset, length);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      if (full.get()) {
        throw noSpace();
      }
      d.force(metaData);
      forces.incrementAndGet();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return d.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return d.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return d.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return d.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      d.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return d.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      d.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return d.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      if (full.get()) {
        throw noSpace();
      }
      return d.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      return d.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return d.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return d.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      d.close();
    }
  }
}
