package dev.tandem.engine.observation;

import java.time.Instant;
import java.time.LocalDate;

/**
 * A fast path for the timestamps Tandem writes, {@code 2026-11-26T10:00:00Z} with an optional
 * fraction: replay parses hundreds of thousands a second, and the general-purpose formatter was a
 * fifth of its time. Anything else (offsets, odd forms) returns null and goes the general way.
 */
final class Rfc3339 {
  private Rfc3339() {}

  static Instant parseUtc(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(n - 1) != 'Z' || s.charAt(4) != '-' || s.charAt(7) != '-'
        || (s.charAt(10) != 'T' && s.charAt(10) != 't') || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59
        || hour < 0 || minute < 0 || second < 0) {
      return null;
    }
    int nanos = 0;
    int i = 19;
    if (i < n - 1) {
      if (s.charAt(i) != '.' || n - 1 - (i + 1) < 1 || n - 1 - (i + 1) > 9) {
        return null;
      }
      int scale = 100_000_000;
      for (int k = i + 1; k < n - 1; k++) {
        char c = s.charAt(k);
        if (c < '0' || c > '9') {
          return null;
        }
        nanos += (c - '0') * scale;
        scale /= 10;
      }
    }
    if (day > LocalDate.of(year, month, 1).lengthOfMonth()) {
      return null;
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
  }

  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
