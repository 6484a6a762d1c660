package dev.tandem.collectors;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <token>} against a path's tokens. Tokens are kept only as
 * SHA-256 digests and compared with {@link MessageDigest#isEqual}: every comparison takes the
 * same time whatever the token's length or how much of it matched, and every token is tried.
 */
final class BearerTokens {

  private final byte[][] digests;

  BearerTokens(List<String> tokens) {
    digests = new byte[tokens.size()][];
    for (int i = 0; i < digests.length; i++) {
      digests[i] = sha256(tokens.get(i));
    }
  }

  boolean required() {
    return digests.length > 0;
  }

  /** True when no token is required, or the header carries one of them. */
  boolean admits(String authorization) {
    if (digests.length == 0) {
      return true;
    }
    if (authorization == null || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = sha256(authorization.substring(7).trim());
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match;
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
