package dev.tandem.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.engine.budget.MaintenanceWindow;
import dev.tandem.engine.budget.SloEngine;
import dev.tandem.engine.judge.DomainSpec;
import dev.tandem.engine.judge.EngineSettings;
import dev.tandem.engine.judge.EngineSpec;
import dev.tandem.engine.judge.PathSpec;
import dev.tandem.engine.judge.VantageSpec;
import dev.tandem.engine.judge.VerdictEngine;
import dev.tandem.engine.observation.MaintenanceObservation;
import dev.tandem.engine.observation.Observation;
import dev.tandem.engine.observation.ObservationCodec;
import dev.tandem.engine.observation.SwitchObservation;
import dev.tandem.engine.replay.VirtualClock;
import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import dev.tandem.engine.verdict.ObserverIdentity;
import dev.tandem.server.storage.FileOpener;
import dev.tandem.server.storage.FullDisk;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailoverMemoryTest {
  private static final String DOMAIN = "order-platform";

  @TempDir
  Path dir;

  private final VirtualClock clock = new VirtualClock(Instant.parse("2026-11-26T10:00:00Z"));
  private final List<Observation> logged = new CopyOnWriteArrayList<>();
  private final List<FailoverMemory> open = new ArrayList<>();

  @AfterEach
  void close() {
    open.forEach(FailoverMemory::close);
  }

  private static VerdictEngine engine(VirtualClock clock) {
    return VerdictEngine.create(new EngineSpec(new ObserverIdentity("obs-memory", "primary"),
        List.of("primary", "secondary"),
        List.of(new DomainSpec(DOMAIN, "primary", "secondary", 60, "db.replication.lag", List.of("order-to-invoice"),
            List.of())),
        List.of(new VantageSpec("ext-1", "third-party", "eu")), List.of(new PathSpec("path-a", "primary")),
        new EngineSettings(Duration.ofSeconds(10), Duration.ofSeconds(30), 1, Duration.ofSeconds(60),
            Duration.ofSeconds(30), Duration.ofSeconds(60))), clock);
  }

  private static SloEngine slos(VirtualClock clock) {
    return new SloEngine(List.of(new SloSpec("orders", "orders", "orders", SloWindow.rolling(Duration.ofDays(28)),
        BudgetingMethod.OCCURRENCES, new BigDecimal("0.999"), null, null,
        new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "order-service")), null, null)),
        List.of("primary", "secondary"), clock);
  }

  private FailoverMemory open(VerdictEngine engine, SloEngine slos, FileOpener files, Set<String> configured)
      throws IOException {
    FailoverMemory m = FailoverMemory.open(dir, files, clock, engine, slos, logged::add, configured);
    open.add(m);
    return m;
  }

  private static boolean durable(java.util.concurrent.CompletionStage<Boolean> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static MaintenanceWindow window(String id) {
    return new MaintenanceWindow(id, "orders", "primary", Instant.parse("2026-11-26T22:00:00Z"),
        Instant.parse("2026-11-26T23:00:00Z"), "database upgrade");
  }

  @Test
  void aReportedSwitchSurvivesARestartWithItsTimeAndReporter() throws Exception {
    VerdictEngine engine = engine(clock);
    FailoverMemory memory = open(engine, slos(clock), FileOpener.system(), Set.of());
    Instant switchedAt = clock.instant();
    assertThat(durable(memory.reportActive(DOMAIN, "secondary", "controller-eu"))).isTrue();
    assertThat(logged).containsExactly(new SwitchObservation(switchedAt, DOMAIN, "secondary", "controller-eu"));
    // A retry of the same report changes nothing and logs nothing.
    clock.advance(Duration.ofSeconds(5));
    assertThat(durable(memory.reportActive(DOMAIN, "secondary", "controller-eu"))).isTrue();
    assertThat(logged).hasSize(1);

    // A restart after kill -9 (no close): a new engine starts from the configuration's primary...
    clock.advance(Duration.ofMinutes(1));
    VerdictEngine restarted = engine(clock);
    assertThat(restarted.activeCloud(DOMAIN)).isEqualTo("primary");
    FailoverMemory again = FailoverMemory.open(dir, FileOpener.system(), clock, restarted, slos(clock), logged::add,
        Set.of());
    open.add(again);
    // ...and the memory puts it back on the reported cloud, with the anti-flap period counting from the switch.
    assertThat(restarted.activeCloud(DOMAIN)).isEqualTo("secondary");
    assertThat(restarted.switchedAt(DOMAIN)).contains(switchedAt);
    assertThat(again.active(DOMAIN).orElseThrow()).isEqualTo(
        new dev.tandem.server.api.ApiChanges.Active(DOMAIN, "secondary", switchedAt, "controller-eu"));
    assertThat(logged).as("a restore is no new switch").hasSize(1);
  }

  @Test
  void aSwitchBackToTheConfiguredActiveIsRememberedToo() throws Exception {
    FailoverMemory memory = open(engine(clock), slos(clock), FileOpener.system(), Set.of());
    durable(memory.reportActive(DOMAIN, "secondary", "ctl"));
    clock.advance(Duration.ofMinutes(10));
    Instant back = clock.instant();
    assertThat(durable(memory.reportActive(DOMAIN, "primary", "ctl"))).isTrue();
    VerdictEngine restarted = engine(clock);
    open.add(FailoverMemory.open(dir, FileOpener.system(), clock, restarted, slos(clock), o -> { }, Set.of()));
    assertThat(restarted.activeCloud(DOMAIN)).isEqualTo("primary");
    assertThat(restarted.switchedAt(DOMAIN)).contains(back);
  }

  @Test
  void badReportsChangeNothing() throws Exception {
    VerdictEngine engine = engine(clock);
    FailoverMemory memory = open(engine, slos(clock), FileOpener.system(), Set.of());
    assertThatThrownBy(() -> memory.reportActive(DOMAIN, "mars", "ctl")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> memory.reportActive("nope", "secondary", "ctl"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(engine.activeCloud(DOMAIN)).isEqualTo("primary");
    assertThat(logged).isEmpty();
    assertThat(memory.active("nope")).isEmpty();
  }

  @Test
  void maintenanceWindowsAddedAndRemovedThroughTheApiSurviveARestart() throws Exception {
    SloEngine slos = slos(clock);
    MaintenanceWindow configured = new MaintenanceWindow("cfg", null, null, Instant.parse("2026-11-27T00:00:00Z"),
        Instant.parse("2026-11-27T01:00:00Z"), "from the file");
    slos.addMaintenance(configured);
    FailoverMemory memory = open(engine(clock), slos, FileOpener.system(), Set.of("cfg"));
    assertThat(durable(memory.addMaintenance(window("mw-1"), "ops"))).isTrue();
    assertThat(durable(memory.addMaintenance(window("mw-2"), "ops"))).isTrue();
    assertThat(durable(memory.removeMaintenance("mw-2", "ops"))).isTrue();
    assertThatThrownBy(() -> memory.addMaintenance(window("mw-1"), "ops")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> memory.addMaintenance(window("cfg"), "ops")).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("configuration file");
    assertThatThrownBy(() -> memory.removeMaintenance("cfg", "ops")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> memory.removeMaintenance("mw-2", "ops")).isInstanceOf(NoSuchElementException.class);
    assertThat(logged).extracting(o -> ((MaintenanceObservation) o).action() + " " + ((MaintenanceObservation) o).id())
        .containsExactly("ADD mw-1", "ADD mw-2", "REMOVE mw-2");
    assertThat(new ObservationCodec().encode(logged.get(0))).contains("\"type\":\"maintenance\"")
        .contains("\"by\":\"ops\"");

    SloEngine restarted = slos(clock);
    restarted.addMaintenance(configured);
    open.add(FailoverMemory.open(dir, FileOpener.system(), clock, engine(clock), restarted, o -> { }, Set.of("cfg")));
    assertThat(restarted.maintenance()).containsExactlyInAnyOrder(configured, window("mw-1"));
  }

  @Test
  void windowsAddedThroughTheApiAreBounded() throws Exception {
    FailoverMemory memory = open(engine(clock), slos(clock), FileOpener.system(), Set.of());
    for (int i = 0; i < FailoverMemory.MAX_WINDOWS; i++) {
      memory.addMaintenance(window("mw-" + i), "ops");
    }
    assertThatThrownBy(() -> memory.addMaintenance(window("one-more"), "ops"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("at most 1000");
  }

  @Test
  void withTheDiskFullASwitchHoldsInMemoryAndIsWrittenOnceSpaceReturns() throws Exception {
    FullDisk disk = new FullDisk();
    VerdictEngine engine = engine(clock);
    FailoverMemory memory = open(engine, slos(clock), disk, Set.of());
    disk.fill();
    CompletableFuture<Boolean> first = memory.reportActive(DOMAIN, "secondary", "ctl").toCompletableFuture();
    assertThat(first.get(10, TimeUnit.SECONDS)).as("answered at once, not durable").isFalse();
    assertThat(engine.activeCloud(DOMAIN)).as("in effect all the same").isEqualTo("secondary");
    assertThat(memory.problem()).hasValueSatisfying(p -> assertThat(p).contains("No space left on device"));
    assertThat(memory.writeFailures()).isPositive();
    assertThat(memory.durable()).isFalse();
    assertThat(dir.resolve(FailoverMemory.FILE)).doesNotExist();
    assertThat(dir.resolve(FailoverMemory.FILE + ".tmp")).doesNotExist();
    // While the disk is known to fail, a change is answered at once, not after the writer's backoff.
    assertThat(memory.addMaintenance(window("mw-full"), "ops").toCompletableFuture().getNow(null)).isFalse();

    disk.free();
    await().atMost(Duration.ofSeconds(30)).until(memory::durable);
    assertThat(memory.problem()).isEmpty();
    VerdictEngine restarted = engine(clock);
    SloEngine restartedSlos = slos(clock);
    open.add(FailoverMemory.open(dir, FileOpener.system(), clock, restarted, restartedSlos, o -> { }, Set.of()));
    assertThat(restarted.activeCloud(DOMAIN)).isEqualTo("secondary");
    assertThat(restartedSlos.maintenance()).containsExactly(window("mw-full"));
  }

  @Test
  void anUnreadableMemoryRefusesTheStartAndNamesTheFile() throws Exception {
    Files.writeString(dir.resolve(FailoverMemory.FILE), "{\"format\": 1, \"active\": [");
    assertThatThrownBy(() -> open(engine(clock), slos(clock), FileOpener.system(), Set.of()))
        .isInstanceOf(IOException.class).hasMessageContaining(FailoverMemory.FILE).hasMessageContaining("delete it");
  }

  @Test
  void aRememberedSwitchTheConfigurationNoLongerAllowsIsForgottenWithAWarning() throws Exception {
    Files.writeString(dir.resolve(FailoverMemory.FILE), """
        {"format": 1, "active": [{"domain": "gone-domain", "cloud": "secondary", "at": "2026-11-26T09:00:00Z", "by": "x"},
                                 {"domain": "order-platform", "cloud": "secondary", "at": "2026-11-26T09:00:00Z", "by": "x"}],
         "maintenance": [{"id": "old", "slo": "gone-slo", "start": "2026-11-26T09:00:00Z", "end": "2026-11-26T10:00:00Z",
                          "reason": "", "addedAt": "2026-11-26T08:00:00Z", "by": "x"}]}
        """);
    VerdictEngine engine = engine(clock);
    SloEngine slos = slos(clock);
    FailoverMemory memory = open(engine, slos, FileOpener.system(), Set.of());
    assertThat(engine.activeCloud(DOMAIN)).isEqualTo("secondary");
    assertThat(slos.maintenance()).isEmpty();
    await().atMost(Duration.ofSeconds(10)).until(memory::durable);
    assertThat(Files.readString(dir.resolve(FailoverMemory.FILE))).doesNotContain("gone-domain").doesNotContain("gone-slo")
        .contains("order-platform");
  }
}
