package dev.tandem.collectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * Bodies in and out: gunzip within a limit, then OTLP protobuf or OTLP/JSON.
 *
 * <p>OTLP/JSON differs from protobuf's canonical JSON mapping in one way that matters: trace and
 * span ids are hex, where {@link JsonFormat} expects base64 and would silently read wrong bytes.
 * So ids are rewritten from hex to base64 in the JSON tree before {@link JsonFormat} sees it.
 * Enums as integers, int64 as strings and unknown fields are within what it accepts.
 */
final class OtlpCodec {

  /** Protobuf's own recursion limit; Jackson refuses deeper JSON before building a tree. */
  static final int MAX_JSON_DEPTH = 100;

  /** Field names of OTLP id fields, camelCase and the proto names JsonFormat also reads. */
  private static final Set<String> ID_FIELDS = Set.of(
      "traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");

  private static final ObjectMapper JSON_TREES = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_JSON_DEPTH).build())
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonFormat.Parser JSON_PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer JSON_PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private OtlpCodec() {}

  /**
   * Inflates a gzip body, refusing (413) as soon as it grows past {@code maxBytes}, so that a
   * small compressed body cannot make the receiver hold gigabytes.
   */
  static byte[] gunzip(byte[] body, int maxBytes) throws RequestRejected {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body), 8192)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(64, body.length * 4)));
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (out.size() + n > maxBytes) {
          throw new RequestRejected(413, "body larger than " + maxBytes + " bytes after decompression");
        }
        out.write(chunk, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new RequestRejected(400, "body is not valid gzip: " + e.getMessage());
    }
  }

  /** Parses {@code body} into {@code builder}, or rejects it with 400. */
  static <B extends Message.Builder> B decode(OtlpEncoding encoding, byte[] body, B builder)
      throws RequestRejected {
    if (encoding == OtlpEncoding.PROTOBUF) {
      try {
        // Parsing a message and handing it to the empty builder is several times faster than
        // builder.mergeFrom(bytes), which builds every nested message through a nested builder;
        // an empty builder adopts the parsed lists without copying them.
        builder.mergeFrom(builder.getDefaultInstanceForType().getParserForType().parseFrom(body));
        return builder;
      } catch (InvalidProtocolBufferException e) {
        throw new RequestRejected(400, "body is not a valid protobuf " + name(builder) + ": " + e.getMessage());
      }
    }
    try {
      JsonNode tree = JSON_TREES.readTree(body);
      if (tree == null || !tree.isObject()) {
        throw new RequestRejected(400, "JSON body must be an object");
      }
      hexIdsToBase64(tree);
      JSON_PARSER.merge(JSON_TREES.writeValueAsString(tree), builder);
      return builder;
    } catch (JsonProcessingException | InvalidProtocolBufferException e) {
      throw new RequestRejected(400, "body is not valid OTLP/JSON for " + name(builder) + ": " + e.getMessage());
    } catch (IOException e) {
      throw new RequestRejected(400, "body is not readable JSON: " + e.getMessage());
    }
  }

  static byte[] encode(OtlpEncoding encoding, MessageOrBuilder message) {
    if (encoding == OtlpEncoding.PROTOBUF) {
      return ((Message) message).toByteArray();
    }
    try {
      return JSON_PRINTER.print(message).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types fail to print; OTLP responses have none.
      throw new IllegalStateException(e);
    }
  }

  /** Rewrites every id field's hex string as base64, in place. Depth is bounded by the caller. */
  static void hexIdsToBase64(JsonNode node) throws RequestRejected {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      for (Map.Entry<String, JsonNode> field : object.properties()) {
        JsonNode value = field.getValue();
        if (ID_FIELDS.contains(field.getKey()) && value.isTextual()) {
          // Replacing an existing field's value is not a structural change: iteration goes on.
          field.setValue(TextNode.valueOf(Base64.getEncoder().encodeToString(hex(field.getKey(), value.textValue()))));
        } else {
          hexIdsToBase64(value);
        }
      }
    } else if (node.isArray()) {
      for (JsonNode item : node) {
        hexIdsToBase64(item);
      }
    }
  }

  private static byte[] hex(String field, String text) throws RequestRejected {
    if (text.length() % 2 != 0 || text.length() > 64) {
      throw new RequestRejected(400, field + " must be a hex string of 16 or 8 bytes, got \"" + clip(text) + "\"");
    }
    byte[] bytes = new byte[text.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      int high = hexDigit(text.charAt(2 * i));
      int low = hexDigit(text.charAt(2 * i + 1));
      if (high < 0 || low < 0) {
        throw new RequestRejected(400, field + " must be hex (OTLP/JSON does not use base64 ids), got \""
            + clip(text) + "\"");
      }
      bytes[i] = (byte) ((high << 4) | low);
    }
    return bytes;
  }

  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static String clip(String text) {
    return text.length() <= 64 ? text : text.substring(0, 64) + "...";
  }

  private static String name(Message.Builder builder) {
    return builder.getDescriptorForType().getName();
  }
}
