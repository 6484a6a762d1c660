package dev.tandem.synthetics;

import io.vertx.core.http.HttpClosedException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * Names a failure that happened before any response arrived, the way a person on call would say
 * it ("connect refused", "timeout after 5000 ms"), and decides whether it is worth another try.
 */
final class TransportFailure {
  private TransportFailure() {}

  /** Only failures before a response are retried: a status or a body is an answer, not noise. */
  static boolean retryable(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof TimeoutException
          || t instanceof HttpClosedException || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || (t instanceof IOException && !(t instanceof SSLException))) {
        return true;
      }
      if (t == t.getCause()) {
        break;
      }
    }
    return false;
  }

  static String describe(Throwable error, long timeoutMs) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage();
      String lower = message.toLowerCase(Locale.ROOT);
      if (t.getClass().getSimpleName().equals("ConnectTimeoutException")
          || (t instanceof ConnectException && lower.contains("timed out"))) {
        return "connect timeout after " + timeoutMs + " ms";
      }
      if (t instanceof ConnectException) {
        return lower.contains("refused") ? "connect refused" : "connect failed: " + message;
      }
      if (t instanceof TimeoutException) {
        return "timeout after " + timeoutMs + " ms";
      }
      if (t instanceof UnknownHostException) {
        return "unknown host " + message;
      }
      if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
      if (t instanceof SSLException) {
        return "tls: " + message;
      }
      if (lower.contains("connection reset")) {
        return "connection reset";
      }
      if (t instanceof HttpClosedException) {
        return "connection closed before response";
      }
      if (t == t.getCause()) {
        break;
      }
    }
    String message = error.getMessage();
    return "transport error: " + error.getClass().getSimpleName()
        + (message == null || message.isBlank() ? "" : ": " + message);
  }
}
