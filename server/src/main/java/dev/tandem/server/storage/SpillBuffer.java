package dev.tandem.server.storage;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A first-in first-out buffer of line-protocol batches on disk, for the time InfluxDB cannot take
 * them. One writer thread owns it (not thread-safe; {@link #bytes()} and {@link #points()} may be
 * read from any thread).
 *
 * <p>Batches are appended to numbered segment files ({@code segment-<20 digits>.spill}); a
 * segment is closed once it reaches the segment size and a new one started. Each record is
 * {@code [int length][int crc32][length bytes of UTF-8 lines joined by '\n']}, forced to disk
 * (fsync) before {@link #append} returns, so an acknowledged batch survives a crash.
 *
 * <p>Reading is from the oldest segment: {@link #peek()} the head batch, {@link #commit()} once it
 * is written; a segment is deleted when fully committed. The read position is kept in memory
 * only, so after a restart the partly committed head segment is replayed from its start: delivery
 * is at-least-once, which InfluxDB absorbs (a point with the same series and timestamp overwrites).
 *
 * <p>Bound: the segments never hold more than {@code maxBytes}. An append that would pass it
 * deletes the oldest segments first (drop oldest: recent data is worth more to an on-call person
 * than data from the start of a long outage); their points are reported to the {@link Listener}.
 *
 * <p>At {@link #open}, every segment is checked record by record. A torn or corrupt record (a
 * crash in the middle of a write, a bad disk block) ends its segment: the segment is truncated to
 * its last good record and the loss is reported; the records before it are kept.
 */
final class SpillBuffer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SpillBuffer.class);
  static final String PREFIX = "segment-";
  static final String SUFFIX = ".spill";
  private static final int HEADER = 8;

  /** What the buffer lost, for counters and logs. */
  interface Listener {
    /** Points deleted unsent because the size bound was reached. */
    void droppedAtBound(long points);

    /** Bytes cut from a segment's tail at open because they were torn or corrupt. */
    void corruptTail(Path segment, long offset, long bytes);
  }

  /** One batch read back: its lines in the order they were appended. */
  record Batch(List<String> lines, int recordBytes) {}

  private static final class Segment {
    final long seq;
    final Path file;
    long bytes;
    long points;

    Segment(long seq, Path file, long bytes, long points) {
      this.seq = seq;
      this.file = file;
      this.bytes = bytes;
      this.points = points;
    }
  }

  private final Path dir;
  private final long maxBytes;
  private final long segmentBytes;
  private final Listener listener;
  private final Deque<Segment> segments = new ArrayDeque<>();
  private FileChannel tail;
  private FileChannel head;
  private long headPosition;
  private long headPointsRead;
  private Batch peeked;
  private volatile long totalBytes;
  private volatile long totalPoints;

  private SpillBuffer(Path dir, long maxBytes, long segmentBytes, Listener listener) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.segmentBytes = segmentBytes;
    this.listener = listener;
  }

  /**
   * Opens (creating if needed) the buffer in {@code dir}, keeping what an earlier process left.
   *
   * @param maxBytes the bound on all segments together
   * @param segmentBytes a segment is closed once it holds this much (at most {@code maxBytes})
   */
  static SpillBuffer open(Path dir, long maxBytes, long segmentBytes, Listener listener) throws IOException {
    if (maxBytes <= HEADER || segmentBytes <= 0 || segmentBytes > maxBytes) {
      throw new IllegalArgumentException("need 0 < segmentBytes <= maxBytes, got " + segmentBytes + " and " + maxBytes);
    }
    Files.createDirectories(dir);
    SpillBuffer b = new SpillBuffer(dir, maxBytes, segmentBytes, listener);
    b.recover();
    return b;
  }

  private void recover() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> {
        String n = p.getFileName().toString();
        return n.startsWith(PREFIX) && n.endsWith(SUFFIX);
      }).sorted().toList();
    }
    for (Path f : files) {
      String n = f.getFileName().toString();
      long seq;
      try {
        seq = Long.parseLong(n.substring(PREFIX.length(), n.length() - SUFFIX.length()));
      } catch (NumberFormatException e) {
        log.warn("influx spill: ignoring {} (not a segment name)", f);
        continue;
      }
      long[] good = scan(f);
      long size = Files.size(f);
      if (good[0] < size) {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.truncate(good[0]);
          ch.force(true);
        }
        listener.corruptTail(f, good[0], size - good[0]);
      }
      lastSeq = Math.max(lastSeq, seq);
      if (good[0] == 0) {
        Files.delete(f);
        continue;
      }
      segments.addLast(new Segment(seq, f, good[0], good[1]));
      lastSeq = Math.max(lastSeq, seq);
    }
    recount();
  }

  /** Length of the valid prefix of a segment and the points in it. */
  private static long[] scan(Path f) throws IOException {
    long offset = 0;
    long points = 0;
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer header = ByteBuffer.allocate(HEADER);
      while (offset + HEADER <= size) {
        header.clear();
        readFully(ch, header, offset);
        header.flip();
        int length = header.getInt();
        int crc = header.getInt();
        if (length <= 0 || offset + HEADER + length > size) {
          break;
        }
        ByteBuffer body = ByteBuffer.allocate(length);
        readFully(ch, body, offset + HEADER);
        if (crc(body.array()) != crc) {
          break;
        }
        points += countLines(body.array());
        offset += HEADER + length;
      }
    }
    return new long[] {offset, points};
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long p = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, p);
      if (n < 0) {
        throw new EOFException("unexpected end of segment at " + p);
      }
      p += n;
    }
  }

  private static int crc(byte[] bytes) {
    CRC32 c = new CRC32();
    c.update(bytes);
    return (int) c.getValue();
  }

  private static int countLines(byte[] body) {
    int n = 1;
    for (byte b : body) {
      if (b == '\n') {
        n++;
      }
    }
    return n;
  }

  boolean isEmpty() {
    return segments.isEmpty();
  }

  /** Bytes on disk, read and unread parts of the head segment included. */
  long bytes() {
    return totalBytes;
  }

  /** Points not yet committed. */
  long points() {
    return totalPoints;
  }

  int segmentCount() {
    return segments.size();
  }

  /**
   * Appends a batch and forces it to disk. Drops the oldest segments first if the bound requires
   * it; a batch larger than the whole bound is itself dropped (and reported).
   *
   * @return false when the batch was dropped
   */
  boolean append(List<String> lines) throws IOException {
    if (lines.isEmpty()) {
      return true;
    }
    byte[] body = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
    int recordBytes = HEADER + body.length;
    if (recordBytes > maxBytes) {
      listener.droppedAtBound(lines.size());
      return false;
    }
    while (totalBytes + recordBytes > maxBytes && !segments.isEmpty()) {
      dropOldest();
    }
    Segment last = segments.peekLast();
    if (last == null || tail == null || last.bytes >= segmentBytes) {
      last = startSegment(lastSeq + 1);
    }
    ByteBuffer record = ByteBuffer.allocate(recordBytes);
    record.putInt(body.length).putInt(crc(body)).put(body).flip();
    long position = last.bytes;
    while (record.hasRemaining()) {
      position += tail.write(record, position);
    }
    tail.force(false);
    last.bytes += recordBytes;
    last.points += lines.size();
    recount();
    return true;
  }

  private long lastSeq;

  private Segment startSegment(long seq) throws IOException {
    if (tail != null) {
      tail.close();
      tail = null;
    }
    Path file = dir.resolve(PREFIX + String.format("%020d", seq) + SUFFIX);
    tail = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    forceDirectory();
    Segment s = new Segment(seq, file, 0, 0);
    segments.addLast(s);
    lastSeq = seq;
    return s;
  }

  private void forceDirectory() {
    // Makes the new file's name durable too; not every platform can open a folder for this.
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      log.debug("influx spill: cannot fsync folder {}", dir, e);
    }
  }

  private void dropOldest() throws IOException {
    Segment s = segments.peekFirst();
    long unread = s.points - headPointsRead;
    removeHead();
    listener.droppedAtBound(unread);
  }

  /** The oldest batch not yet committed, or null when empty. Repeated calls return the same batch. */
  Batch peek() throws IOException {
    if (peeked != null) {
      return peeked;
    }
    Segment s = segments.peekFirst();
    if (s == null) {
      return null;
    }
    if (headPosition >= s.bytes) {
      return null;
    }
    if (head == null) {
      head = FileChannel.open(s.file, StandardOpenOption.READ);
    }
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    readFully(head, header, headPosition);
    header.flip();
    int length = header.getInt();
    int crc = header.getInt();
    if (length <= 0 || headPosition + HEADER + length > s.bytes) {
      throw new IOException("spill segment " + s.file + " damaged at " + headPosition);
    }
    ByteBuffer body = ByteBuffer.allocate(length);
    readFully(head, body, headPosition + HEADER);
    if (crc(body.array()) != crc) {
      throw new IOException("spill segment " + s.file + ": checksum mismatch at " + headPosition);
    }
    String text = new String(body.array(), StandardCharsets.UTF_8);
    peeked = new Batch(Arrays.asList(text.split("\n", -1)), HEADER + length);
    return peeked;
  }

  /** Marks the batch last returned by {@link #peek()} as delivered. */
  void commit() throws IOException {
    if (peeked == null) {
      throw new IllegalStateException("nothing peeked");
    }
    Segment s = segments.peekFirst();
    headPosition += peeked.recordBytes();
    headPointsRead += peeked.lines().size();
    peeked = null;
    if (headPosition >= s.bytes) {
      removeHead();
    } else {
      recount();
    }
  }

  /**
   * Gives up the head segment (it cannot be read back); returns the points it still held.
   */
  long discardHead() throws IOException {
    Segment s = segments.peekFirst();
    if (s == null) {
      return 0;
    }
    long unread = s.points - headPointsRead;
    removeHead();
    return unread;
  }

  private void removeHead() throws IOException {
    Segment s = segments.pollFirst();
    if (head != null) {
      head.close();
      head = null;
    }
    if (segments.isEmpty() && tail != null) {
      tail.close();
      tail = null;
    }
    headPosition = 0;
    headPointsRead = 0;
    peeked = null;
    Files.deleteIfExists(s.file);
    recount();
  }

  private void recount() {
    long bytes = 0;
    long points = 0;
    for (Segment s : segments) {
      bytes += s.bytes;
      points += s.points;
    }
    totalBytes = bytes;
    totalPoints = points - headPointsRead;
  }

  /** Segment files in order (for tests and logs). */
  List<Path> segmentFiles() {
    List<Path> out = new ArrayList<>();
    segments.forEach(s -> out.add(s.file));
    return out;
  }

  @Override
  public void close() throws IOException {
    if (head != null) {
      head.close();
      head = null;
    }
    if (tail != null) {
      tail.close();
      tail = null;
    }
  }
}
