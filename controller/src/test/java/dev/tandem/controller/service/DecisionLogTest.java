package dev.tandem.controller.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.controller.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionLogTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  @TempDir
  Path dir;

  private static Decision stay(Instant at) {
    return new Decision(at, "order-platform", Decision.Outcome.STAY, Decision.Reason.NO_FAILOVER_VOTES, "primary",
        null, "Stay on primary.", List.of());
  }

  @Test
  void beyondItsBoundALineIsDroppedAndCountedAndTheRestIsWritten() throws Exception {
    Path file = dir.resolve("decisions.jsonl");
    DecisionLog log = new DecisionLog(file, 3); // the writer not started yet: nothing drains
    for (int i = 0; i < 5; i++) {
      log.decision(stay(T0.plusSeconds(i)));
    }
    assertThat(log.dropped()).isEqualTo(2);
    log.start();
    log.close();
    assertThat(log.written()).isEqualTo(3);
    assertThat(Files.readAllLines(file)).hasSize(3).first().asString().contains("\"ts\":\"2026-11-26T10:00:00Z\"");
  }

  @Test
  void theLastSwitchOfEachDomainIsReadBackAndBrokenLinesAreSkipped() throws Exception {
    Path file = dir.resolve("decisions.jsonl");
    Files.writeString(file, String.join("\n",
        "{\"ts\":\"2026-11-26T09:00:00Z\",\"type\":\"decision\",\"domain\":\"order-platform\",\"outcome\":\"SWITCHED\"}",
        "{\"ts\":\"2026-11-26T09:30:00Z\",\"type\":\"decision\",\"domain\":\"order-platform\",\"outcome\":\"RECONCILED\"}",
        "{\"ts\":\"2026-11-26T09:40:00Z\",\"type\":\"decision\",\"domain\":\"order-platform\",\"outcome\":\"SWITCH_FAILED\"}",
        "{\"ts\":\"2026-11-26T09:50:00Z\",\"type\":\"report\",\"domain\":\"order-platform\",\"outcome\":\"SWITCHED\"}",
        "{\"ts\":\"2026-11-26T08:00:00Z\",\"type\":\"decision\",\"domain\":\"billing\",\"outcome\":\"SWITCHED\"}",
        "{\"ts\":\"2026-11-26T09:55:00Z\",\"type\":\"decision\",\"domain\":\"billing\",\"outc",
        "") + "\n");
    DecisionLog.Restored r = DecisionLog.lastSwitches(file);
    assertThat(r.lastSwitch()).isEqualTo(Map.of("order-platform", Instant.parse("2026-11-26T09:30:00Z"),
        "billing", Instant.parse("2026-11-26T08:00:00Z")));
    assertThat(r.skipped()).isEqualTo(1);
    assertThat(DecisionLog.lastSwitches(dir.resolve("none.jsonl")).lastSwitch()).isEmpty();
  }

  @Test
  void everyDecisionIsForcedToDiskAndReportsAreGroupedWithThem() throws Exception {
    Path file = dir.resolve("decisions.jsonl");
    DecisionLog log = new DecisionLog(file, 100); // not started: the lines wait, so the grouping is known
    log.decision(stay(T0));
    log.report(T0, "order-platform", "obs-a", "secondary", true, 1, null);
    log.report(T0, "order-platform", "obs-b", "secondary", true, 1, null);
    log.decision(stay(T0.plusSeconds(1)));
    log.start();
    log.close();
    // One force per decision; the two reports ride with the second decision's.
    assertThat(log.synced()).isEqualTo(2);
    assertThat(Files.readAllLines(file)).hasSize(4);
  }

  @Test
  void aSwitchTheLogWroteIsTheOneItReadsBack() throws Exception {
    Path file = dir.resolve("decisions.jsonl");
    try (DecisionLog log = new DecisionLog(file)) {
      log.decision(new Decision(T0, "order-platform", Decision.Outcome.SWITCH, Decision.Reason.QUORUM, "primary",
          "secondary", "Switch.", List.of()).executed(true, ""));
      log.decision(stay(T0.plusSeconds(5)));
    }
    assertThat(DecisionLog.lastSwitches(file).lastSwitch()).containsExactly(Map.entry("order-platform", T0));
  }
}
