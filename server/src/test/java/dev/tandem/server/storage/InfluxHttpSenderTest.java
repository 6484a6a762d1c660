package dev.tandem.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.server.it.TandemContainers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InfluxHttpSenderTest {
  @ParameterizedTest
  @CsvSource({
    "400, partial write: field type conflict, REJECTED",
    "413, Request Entity Too Large, REJECTED",
    "401, authorization failed, RETRY",
    "403, forbidden, RETRY",
    "404, database not found: \"tandem\", RETRY",
    "404, page not found, RETRY",
    "429, too many requests, RETRY",
    "500, timeout, RETRY",
    "503, engine: cache maximum memory size exceeded, RETRY",
    "-1, closed, RETRY"})
  void onlyAnswersAboutTheBatchItselfReject(int status, String message, LineSender.Kind kind) {
    assertThat(InfluxHttpSender.classify(status, message).kind()).isEqualTo(kind);
  }

  @Test
  void credentialsInTheUrlNeverAppearInEndpointOrCauses() {
    int closed = TandemContainers.freeLoopbackPort();
    try (InfluxHttpSender sender = InfluxHttpSender.create("http://tandem:s3cr%40t@127.0.0.1:" + closed, "tandem")) {
      assertThat(sender.endpoint()).isEqualTo("http://127.0.0.1:" + closed);
      LineSender.Result r = sender.write(List.of("m v=1i 1"));
      assertThat(r.kind()).isEqualTo(LineSender.Kind.RETRY);
      assertThat(r.cause()).doesNotContain("s3cr").doesNotContain("tandem:");
      assertThat(sender.redact("GET http://tandem:s3cr@t@127.0.0.1/x failed for s3cr@t")).doesNotContain("s3cr");
    }
  }
}
