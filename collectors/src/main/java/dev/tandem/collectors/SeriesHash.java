package dev.tandem.collectors;

/**
 * A 64-bit hash of a series' identity bytes and two numbers, seeded so that a few independent
 * hashes make one wide key. Not cryptographic: a sender who forges a collision only hides its own
 * data. Keys of fixed size keep the memory per remembered series or point fixed.
 */
final class SeriesHash {

  private SeriesHash() {}

  static long hash(byte[] bytes, long seed, long a, long b) {
    long h = seed ^ (bytes.length * 0x9E3779B97F4A7C15L);
    int i = 0;
    for (; i + 8 <= bytes.length; i += 8) {
      h = mix(h ^ readLong(bytes, i));
    }
    long tail = 0;
    for (int shift = 0; i < bytes.length; i++, shift += 8) {
      tail |= (bytes[i] & 0xFFL) << shift;
    }
    h = mix(h ^ tail);
    h = mix(h ^ a);
    h = mix(h ^ b);
    return h;
  }

  private static long readLong(byte[] bytes, int at) {
    return (bytes[at] & 0xFFL) | (bytes[at + 1] & 0xFFL) << 8 | (bytes[at + 2] & 0xFFL) << 16
        | (bytes[at + 3] & 0xFFL) << 24 | (bytes[at + 4] & 0xFFL) << 32 | (bytes[at + 5] & 0xFFL) << 40
        | (bytes[at + 6] & 0xFFL) << 48 | (bytes[at + 7] & 0xFFL) << 56;
  }

  /** MurmurHash3's 64-bit finaliser after a multiply: every input bit reaches every output bit. */
  private static long mix(long h) {
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
