package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillBufferTest {
  @TempDir
  Path dir;

  private final List<Long> dropped = new ArrayList<>();
  private final List<Long> corrupt = new ArrayList<>();
  private final SpillBuffer.Listener listener = new SpillBuffer.Listener() {
    @Override
    public void droppedAtBound(long points) {
      dropped.add(points);
    }

    @Override
    public void corruptTail(Path segment, long offset, long bytes) {
      corrupt.add(bytes);
    }
  };

  private static List<String> batch(int n, int size) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      // Fixed width, so that every batch of a size makes a record of the same size.
      lines.add(String.format("m,k=v f=%03di %012d", n, 1_000_000L * n + i));
    }
    return lines;
  }

  private static List<List<String>> drain(SpillBuffer b) throws IOException {
    List<List<String>> out = new ArrayList<>();
    for (SpillBuffer.Batch x = b.peek(); x != null; x = b.peek()) {
      out.add(x.lines());
      b.commit();
    }
    return out;
  }

  @Test
  void batchesComeBackInOrderAcrossSegmentRotation() throws IOException {
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 200, listener)) {
      for (int i = 0; i < 10; i++) {
        assertThat(b.append(batch(i, 3))).isTrue();
      }
      assertThat(b.segmentCount()).as("a segment closes once it holds 200 bytes").isGreaterThan(3);
      assertThat(b.points()).isEqualTo(30);
      List<List<String>> back = drain(b);
      assertThat(back).hasSize(10);
      for (int i = 0; i < 10; i++) {
        assertThat(back.get(i)).isEqualTo(batch(i, 3));
      }
      assertThat(b.isEmpty()).isTrue();
      assertThat(b.bytes()).isZero();
      assertThat(b.points()).isZero();
    }
    assertThat(Files.list(dir)).as("delivered segments are deleted").isEmpty();
    assertThat(dropped).isEmpty();
  }

  @Test
  void appendsAfterDrainingStartAFreshSegment() throws IOException {
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 1 << 10, listener)) {
      b.append(batch(1, 2));
      assertThat(drain(b)).containsExactly(batch(1, 2));
      b.append(batch(2, 2));
      b.append(batch(3, 2));
      assertThat(drain(b)).containsExactly(batch(2, 2), batch(3, 2));
    }
  }

  @Test
  void atTheBoundTheOldestSegmentIsDroppedAndCounted() throws IOException {
    long recordBytes = 8 + String.join("\n", batch(0, 4)).length();
    long max = recordBytes * 6;
    try (SpillBuffer b = SpillBuffer.open(dir, max, recordBytes * 2, listener)) {
      for (int i = 0; i < 10; i++) {
        assertThat(b.append(batch(i, 4))).isTrue();
        assertThat(b.bytes()).isLessThanOrEqualTo(max);
      }
      // Segments hold two batches each: 0-1 and 2-3 were deleted to make room for 6-9.
      assertThat(dropped).containsExactly(8L, 8L);
      assertThat(b.points()).isEqualTo(24);
      List<List<String>> back = drain(b);
      assertThat(back).containsExactly(batch(4, 4), batch(5, 4), batch(6, 4), batch(7, 4), batch(8, 4), batch(9, 4));
    }
  }

  @Test
  void aPartlyReadHeadSegmentDroppedAtTheBoundCountsOnlyItsUnreadPoints() throws IOException {
    long recordBytes = 8 + String.join("\n", batch(0, 4)).length();
    try (SpillBuffer b = SpillBuffer.open(dir, recordBytes * 4, recordBytes * 2, listener)) {
      for (int i = 0; i < 4; i++) {
        b.append(batch(i, 4));
      }
      b.peek();
      b.commit();
      b.append(batch(4, 4));
      assertThat(dropped).containsExactly(4L);
      assertThat(drain(b)).containsExactly(batch(2, 4), batch(3, 4), batch(4, 4));
    }
  }

  @Test
  void aBatchLargerThanTheWholeBoundIsDroppedItself() throws IOException {
    try (SpillBuffer b = SpillBuffer.open(dir, 64, 64, listener)) {
      assertThat(b.append(batch(1, 10))).isFalse();
      assertThat(dropped).containsExactly(10L);
      assertThat(b.isEmpty()).isTrue();
    }
  }

  @Test
  void aRestartReplaysWhatWasNotCommittedInOrder() throws IOException {
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 150, listener)) {
      for (int i = 0; i < 6; i++) {
        b.append(batch(i, 2));
      }
      b.peek();
      b.commit();
    }
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 150, listener)) {
      List<List<String>> back = new ArrayList<>();
      // New appends go after everything recovered.
      b.append(batch(6, 2));
      back.addAll(drain(b));
      assertThat(back.get(back.size() - 1)).isEqualTo(batch(6, 2));
      // At-least-once: batch 0 may come again (its segment was only partly committed), never out of order.
      List<List<String>> expected = new ArrayList<>();
      for (int i = back.get(0).equals(batch(0, 2)) ? 0 : 1; i <= 6; i++) {
        expected.add(batch(i, 2));
      }
      assertThat(back).isEqualTo(expected);
    }
    assertThat(corrupt).isEmpty();
  }

  @Test
  void aTornTailIsCutOffAndTheRecordsBeforeItSurvive() throws IOException {
    Path last;
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 1 << 20, listener)) {
      b.append(batch(1, 3));
      b.append(batch(2, 3));
      last = b.segmentFiles().get(0);
    }
    long good = Files.size(last);
    // A crash in the middle of the third append: a header promising more bytes than were written.
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0, 0, 1, 0, 1, 2, 3, 4, 'm', ','}));
    }
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 1 << 20, listener)) {
      assertThat(corrupt).containsExactly(10L);
      assertThat(Files.size(last)).isEqualTo(good);
      assertThat(b.points()).isEqualTo(6);
      b.append(batch(3, 3));
      assertThat(drain(b)).containsExactly(batch(1, 3), batch(2, 3), batch(3, 3));
    }
  }

  @Test
  void aRecordWithABadChecksumEndsItsSegment() throws IOException {
    Path segment;
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 1 << 20, listener)) {
      b.append(batch(1, 2));
      b.append(batch(2, 2));
      segment = b.segmentFiles().get(0);
    }
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length - 1] ^= 0x5a;
    Files.write(segment, bytes);
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 1 << 20, listener)) {
      assertThat(corrupt).hasSize(1);
      assertThat(drain(b)).containsExactly(batch(1, 2));
    }
  }

  @Test
  void aSegmentWithNothingValidIsRemoved() throws IOException {
    Files.write(dir.resolve(SpillBuffer.PREFIX + "00000000000000000007" + SpillBuffer.SUFFIX), new byte[] {1, 2, 3});
    try (SpillBuffer b = SpillBuffer.open(dir, 1 << 20, 1 << 20, listener)) {
      assertThat(b.isEmpty()).isTrue();
      assertThat(corrupt).containsExactly(3L);
      b.append(batch(1, 1));
      assertThat(b.segmentFiles().get(0).getFileName().toString()).as("numbering continues").contains("08");
    }
  }
}
