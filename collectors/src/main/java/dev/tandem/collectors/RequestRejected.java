package dev.tandem.collectors;

/** A request the receiver answers with a 4xx: expected, never logged with a stack trace. */
final class RequestRejected extends Exception {

  final int status;

  RequestRejected(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }
}
