package dev.tandem.collectors;

import java.util.Locale;

/** The two OTLP/HTTP body encodings; a reply always uses the request's. */
enum OtlpEncoding {
  PROTOBUF("application/x-protobuf"),
  JSON("application/json");

  final String contentType;

  OtlpEncoding(String contentType) {
    this.contentType = contentType;
  }

  /** The encoding a {@code Content-Type} header names (parameters ignored), or null. */
  static OtlpEncoding fromContentType(String header) {
    if (header == null) {
      return null;
    }
    int semicolon = header.indexOf(';');
    String mediaType = (semicolon < 0 ? header : header.substring(0, semicolon)).trim()
        .toLowerCase(Locale.ROOT);
    for (OtlpEncoding encoding : values()) {
      if (encoding.contentType.equals(mediaType)) {
        return encoding;
      }
    }
    return null;
  }
}
