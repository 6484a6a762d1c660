package dev.tandem.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.server.storage.FileOpener;
import dev.tandem.server.storage.SloStateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a storage folder holds, read the way a restarting process reads it, without touching it. */
final class DiskState {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DiskState() {}

  /**
   * The SLO events (good, total) of {@code slo} in {@code cloud} that a process restarting on
   * {@code storageDir} restores: snapshot plus journal, replayed into a fresh SLO engine from a copy
   * of the folder (restoring writes a snapshot and a new segment).
   */
  static long[] sloEvents(Path storageDir, Path scratch, List<SloSpec> specs, List<String> clouds, String slo,
      String cloud) throws IOException {
    Path copy = Files.createTempDirectory(scratch, "slo-state-");
    Path state = storageDir.resolve("slo-state");
    if (Files.isDirectory(state)) {
      try (Stream<Path> files = Files.list(state)) {
        for (Path f : files.toList()) {
          Files.copy(f, copy.resolve(f.getFileName()));
        }
      }
    }
    SloEngine engine = new SloEngine(specs, clouds, Clock.systemUTC());
    SloStateStore store = SloStateStore.open(copy, engine, o -> { }, FileOpener.system(), Clock.systemUTC());
    try {
      return engine.status(slo, cloud).map(s -> new long[] {s.good(), s.total()}).orElse(new long[] {0, 0});
    } finally {
      store.close();
    }
  }

  /**
   * The events the paging outbox holds (written and forced: accepted), each as its Events v2 body
   * with the routing role as {@code routing_key}; events PagerDuty refused for good (400) left out.
   */
  static List<JsonNode> outboxEvents(Path storageDir) throws IOException {
    Path outbox = storageDir.resolve("paging").resolve("paging-outbox.jsonl");
    List<JsonNode> events = new ArrayList<>();
    java.util.Set<Long> failed = new java.util.HashSet<>();
    if (!Files.exists(outbox)) {
      return events;
    }
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(outbox)) {
      try {
        lines.add(JSON.readTree(line));
      } catch (IOException torn) {
        // A torn last line is not an accepted event (it counts only once complete and forced).
      }
    }
    for (JsonNode n : lines) {
      if (n.path("op").asText().equals("failed")) {
        failed.add(n.path("seq").asLong());
      }
    }
    for (JsonNode n : lines) {
      if (n.path("op").asText().equals("event") && !failed.contains(n.path("seq").asLong())) {
        events.add(n.get("body"));
      }
    }
    return events;
  }

  /** Pages the audit log says were accepted onto the disk (not those held in memory only). */
  static List<JsonNode> auditedAccepted(Path storageDir) throws IOException {
    Path audit = storageDir.resolve("audit.jsonl");
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(audit)) {
      return out;
    }
    for (String line : Files.readAllLines(audit)) {
      JsonNode n;
      try {
        n = JSON.readTree(line);
      } catch (IOException torn) {
        continue;
      }
      if (n.path("type").asText().equals("page") && n.path("status").asText().equals("accepted")
          && !n.path("note").asText().contains("held in memory")) {
        out.add(n.get("event"));
      }
    }
    return out;
  }

  /** Verdict changes the audit log recorded. */
  static long auditedVerdictChanges(Path storageDir) throws IOException {
    Path audit = storageDir.resolve("audit.jsonl");
    if (!Files.exists(audit)) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(audit)) {
      return lines.filter(l -> l.contains("\"type\":\"verdict\"")).count();
    }
  }

  /** One event, the same whether read from the outbox (role as key) or received by PagerDuty (real key). */
  static String identity(JsonNode body, String role) {
    return role + "|" + body.path("event_action").asText() + "|" + body.path("dedup_key").asText() + "|"
        + body.at("/payload/severity").asText() + "|" + body.at("/payload/timestamp").asText();
  }
}
