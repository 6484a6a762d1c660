package dev.tandem.server.storage;

import java.util.List;

/** Sends one batch of line-protocol points somewhere; the writer decides what to do with the result. */
interface LineSender extends AutoCloseable {

  /** What became of one write request. */
  enum Kind {
    /** Stored. */
    OK,
    /** The batch itself is bad (HTTP 400, 413): sending it again cannot help. */
    REJECTED,
    /** The database is unreachable, overloaded, or refused for a reason that may pass: try again later. */
    RETRY
  }

  /** @param cause a readable reason, free of credentials; null for {@link Kind#OK} */
  record Result(Kind kind, String cause) {
    static final Result OK = new Result(Kind.OK, null);
  }

  Result write(List<String> lines);

  /** Where it sends to, free of credentials (for logs). */
  String endpoint();

  @Override
  void close();
}
