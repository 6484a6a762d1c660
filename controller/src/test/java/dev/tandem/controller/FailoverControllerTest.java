package dev.tandem.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.replay.VirtualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FailoverControllerTest {
  private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  private static final String DOMAIN = "order-platform";
  private static final List<String> OBSERVERS = List.of("obs-primary", "obs-secondary", "obs-external");

  private final VirtualClock clock = new VirtualClock(T0);
  private final FailoverController controller = FailoverController.create(new FailoverPolicy(OBSERVERS, 2,
      Duration.ofSeconds(300), List.of(new DomainPolicy(DOMAIN, List.of("primary", "secondary"), "primary"))), clock);

  /** A fresh verdict: primary active, secondary standby, valid 30 s. */
  private static ObserverReading verdict(String observer, String recommendation) {
    return verdict(observer, recommendation, "primary", "secondary", T0.plusSeconds(30));
  }

  private static ObserverReading verdict(String observer, String recommendation, String active, String standby,
      Instant validUntil) {
    return ObserverReading.of(observer, new ObservedVerdict(observer, DOMAIN, recommendation, active, standby,
        "HEALTHY", 1.0, validUntil.minusSeconds(30), validUntil, "because"));
  }

  /** A reading from the entry {@code configured} whose verdict is stamped by observer {@code stampedBy}. */
  private static ObserverReading answeredAs(String configured, String stampedBy, String recommendation) {
    return ObserverReading.of(configured, new ObservedVerdict(stampedBy, DOMAIN, recommendation, "primary",
        "secondary", "HEALTHY", 1.0, T0, T0.plusSeconds(30), "because"));
  }

  private static ObserverReading stale(String observer, String recommendation) {
    return verdict(observer, recommendation, "primary", "secondary", T0.minusSeconds(1));
  }

  private static ObserverReading unreachable(String observer) {
    return ObserverReading.failed(observer, "connection refused");
  }

  static Stream<Arguments> quorumTable() {
    return Stream.of(
        Arguments.of("all STAY", List.of(verdict("obs-primary", "STAY"), verdict("obs-secondary", "STAY"),
            verdict("obs-external", "STAY")), Decision.Outcome.STAY, Decision.Reason.NO_FAILOVER_VOTES),
        Arguments.of("1 of 3 FAILOVER never switches", List.of(verdict("obs-primary", "STAY"),
            verdict("obs-secondary", "STAY"), verdict("obs-external", "FAILOVER")),
            Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM),
        Arguments.of("2 of 3 FAILOVER switch", List.of(verdict("obs-primary", "FAILOVER"),
            verdict("obs-secondary", "STAY"), verdict("obs-external", "FAILOVER")),
            Decision.Outcome.SWITCH, Decision.Reason.QUORUM),
        Arguments.of("3 of 3 FAILOVER switch", List.of(verdict("obs-primary", "FAILOVER"),
            verdict("obs-secondary", "FAILOVER"), verdict("obs-external", "FAILOVER")),
            Decision.Outcome.SWITCH, Decision.Reason.QUORUM),
        Arguments.of("a stale FAILOVER is UNKNOWN, not a vote", List.of(verdict("obs-primary", "FAILOVER"),
            stale("obs-secondary", "FAILOVER"), verdict("obs-external", "STAY")),
            Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM),
        Arguments.of("an unreachable observer is UNKNOWN, not a vote", List.of(verdict("obs-primary", "FAILOVER"),
            unreachable("obs-secondary"), unreachable("obs-external")),
            Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM),
        Arguments.of("an unknown recommendation is UNKNOWN", List.of(verdict("obs-primary", "FAILOVER"),
            verdict("obs-secondary", "FAIL-OVER"), verdict("obs-external", "STAY")),
            Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM),
        Arguments.of("a missing observer is UNKNOWN", List.of(verdict("obs-primary", "FAILOVER")),
            Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM),
        Arguments.of("one observer behind two config entries is one vote, not two", List.of(
            verdict("obs-primary", "FAILOVER"), answeredAs("obs-secondary", "obs-primary", "FAILOVER"),
            verdict("obs-external", "STAY")),
            Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM),
        Arguments.of("votes from the old active do not count", List.of(
            verdict("obs-primary", "FAILOVER", "secondary", "primary", T0.plusSeconds(30)),
            verdict("obs-secondary", "FAILOVER"), verdict("obs-external", "STAY")),
            Decision.Outcome.REFUSED, Decision.Reason.BELOW_QUORUM));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("quorumTable")
  void quorumDecides(String name, List<ObserverReading> readings, Decision.Outcome outcome, Decision.Reason reason) {
    Decision d = controller.decide(DOMAIN, readings, Gate.open());
    assertThat(d.outcome()).as(d.explanation()).isEqualTo(outcome);
    assertThat(d.reason()).isEqualTo(reason);
    assertThat(d.votes()).extracting(Ballot::observer).containsExactlyElementsOf(OBSERVERS);
    if (outcome == Decision.Outcome.SWITCH) {
      assertThat(d.target()).isEqualTo("secondary");
    }
  }

  @Test
  void staleAndUnreachableCountAsUnknownNeverAsFailover() {
    Decision d = controller.decide(DOMAIN, List.of(verdict("obs-primary", "FAILOVER"),
        stale("obs-secondary", "FAILOVER"), unreachable("obs-external")), Gate.open());
    assertThat(d.votes()).extracting(Ballot::vote).containsExactly(Vote.FAILOVER, Vote.UNKNOWN, Vote.UNKNOWN);
    assertThat(d.votes().get(1).note()).startsWith("stale: valid until");
    assertThat(d.votes().get(2).note()).isEqualTo("connection refused");
    assertThat(d.explanation()).contains("1 of 3", "quorum is 2");
  }

  @Test
  void aVerdictStampedByAnotherObserverIsUnknownAndSaysWhoAnswered() {
    Decision d = controller.decide(DOMAIN, List.of(verdict("obs-primary", "FAILOVER"),
        answeredAs("obs-secondary", "obs-primary", "FAILOVER"), answeredAs("obs-external", "?", "FAILOVER")),
        Gate.open());
    assertThat(d.votes()).extracting(Ballot::vote).containsExactly(Vote.FAILOVER, Vote.UNKNOWN, Vote.UNKNOWN);
    assertThat(d.votes().get(1).note()).isEqualTo("answered as observer 'obs-primary', not 'obs-secondary'");
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REFUSED);
  }

  @Test
  void aVerdictExactlyAtValidUntilStillCounts() {
    Decision d = controller.decide(DOMAIN, List.of(
        verdict("obs-primary", "FAILOVER", "primary", "secondary", T0),
        verdict("obs-secondary", "FAILOVER", "primary", "secondary", T0)), Gate.open());
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.SWITCH);
  }

  // One test per safety rule: each sets up a quorum that would switch, breaks only that rule, and
  // fails if the rule were removed.

  private static List<ObserverReading> quorum() {
    return List.of(verdict("obs-primary", "FAILOVER"), verdict("obs-secondary", "STAY"),
        verdict("obs-external", "FAILOVER"));
  }

  @Test
  void holdFromAnyObserverBlocksTheSwitch() {
    Decision d = controller.decide(DOMAIN, List.of(verdict("obs-primary", "FAILOVER"),
        verdict("obs-secondary", "HOLD"), verdict("obs-external", "FAILOVER")), Gate.open());
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REFUSED);
    assertThat(d.reason()).isEqualTo(Decision.Reason.HOLD_VETO);
    assertThat(d.explanation()).contains("obs-secondary", "HOLD");
  }

  @Test
  void aClosedGateBlocksEverySwitch() {
    Decision d = controller.decide(DOMAIN, List.of(verdict("obs-primary", "FAILOVER"),
        verdict("obs-secondary", "FAILOVER"), verdict("obs-external", "FAILOVER")), Gate.closed("file /etc/gate"));
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REFUSED);
    assertThat(d.reason()).isEqualTo(Decision.Reason.GATE_CLOSED);
    assertThat(d.explanation()).contains("/etc/gate");
    assertThat(controller.decide(DOMAIN, quorum(), Gate.open()).outcome()).isEqualTo(Decision.Outcome.SWITCH);
  }

  @Test
  void noSwitchBackWithinTheAntiFlapPeriod() {
    assertThat(controller.decide(DOMAIN, quorum(), Gate.open()).outcome()).isEqualTo(Decision.Outcome.SWITCH);
    controller.switched(DOMAIN, "secondary");
    clock.advance(Duration.ofSeconds(60));
    Instant valid = clock.instant().plusSeconds(30);
    List<ObserverReading> back = List.of(
        verdict("obs-primary", "FAILOVER", "secondary", "primary", valid),
        verdict("obs-secondary", "FAILOVER", "secondary", "primary", valid),
        verdict("obs-external", "STAY", "secondary", "primary", valid));
    Decision refused = controller.decide(DOMAIN, back, Gate.open());
    assertThat(refused.outcome()).isEqualTo(Decision.Outcome.REFUSED);
    assertThat(refused.reason()).isEqualTo(Decision.Reason.ANTI_FLAP);
    assertThat(refused.explanation()).contains("240 s left");
    assertThat(controller.active(DOMAIN)).isEqualTo("secondary");

    clock.advance(Duration.ofSeconds(240));
    Instant later = clock.instant().plusSeconds(30);
    Decision allowed = controller.decide(DOMAIN, List.of(
        verdict("obs-primary", "FAILOVER", "secondary", "primary", later),
        verdict("obs-secondary", "FAILOVER", "secondary", "primary", later)), Gate.open());
    assertThat(allowed.outcome()).isEqualTo(Decision.Outcome.SWITCH);
    assertThat(allowed.target()).isEqualTo("primary");
  }

  @Test
  void aLastSwitchRestoredAfterARestartKeepsTheAntiFlapPeriod() {
    controller.restoreLastSwitch(DOMAIN, T0.minusSeconds(60));
    Decision refused = controller.decide(DOMAIN, quorum(), Gate.open());
    assertThat(refused.reason()).isEqualTo(Decision.Reason.ANTI_FLAP);
    assertThat(refused.explanation()).contains("240 s left");
    controller.restoreLastSwitch(DOMAIN, T0.minusSeconds(600)); // an older one changes nothing
    assertThat(controller.lastSwitch(DOMAIN)).isEqualTo(T0.minusSeconds(60));
    controller.restoreLastSwitch(DOMAIN, T0.plusSeconds(3600)); // a clock that went back: counts as now
    assertThat(controller.lastSwitch(DOMAIN)).isEqualTo(T0);
  }

  @Test
  void neverSwitchesToACloudThatIsNotConfigured() {
    Decision d = controller.decide(DOMAIN, List.of(
        verdict("obs-primary", "FAILOVER", "primary", "tertiary", T0.plusSeconds(30)),
        verdict("obs-external", "FAILOVER", "primary", "tertiary", T0.plusSeconds(30))), Gate.open());
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.REFUSED);
    assertThat(d.reason()).isEqualTo(Decision.Reason.NO_SAFE_TARGET);
    assertThat(d.target()).isNull();
  }

  @Test
  void neverSwitchesToTheActiveCloudItself() {
    Decision d = controller.decide(DOMAIN, List.of(
        verdict("obs-primary", "FAILOVER", "primary", "primary", T0.plusSeconds(30)),
        verdict("obs-external", "FAILOVER", "primary", "primary", T0.plusSeconds(30))), Gate.open());
    assertThat(d.reason()).isEqualTo(Decision.Reason.NO_SAFE_TARGET);
  }

  @Test
  void votersNamingDifferentTargetsDoNotSwitch() {
    FailoverController three = FailoverController.create(new FailoverPolicy(OBSERVERS, 2, Duration.ZERO,
        List.of(new DomainPolicy(DOMAIN, List.of("primary", "secondary", "tertiary"), "primary"))), clock);
    Decision d = three.decide(DOMAIN, List.of(
        verdict("obs-primary", "FAILOVER", "primary", "secondary", T0.plusSeconds(30)),
        verdict("obs-external", "FAILOVER", "primary", "tertiary", T0.plusSeconds(30))), Gate.open());
    assertThat(d.reason()).isEqualTo(Decision.Reason.NO_SAFE_TARGET);
  }

  @Test
  void aSwitchIsOnlyTakenIntoAccountOnceMade() {
    assertThat(controller.decide(DOMAIN, quorum(), Gate.open()).outcome()).isEqualTo(Decision.Outcome.SWITCH);
    assertThat(controller.active(DOMAIN)).isEqualTo("primary");
    assertThat(controller.lastSwitch(DOMAIN)).isNull();
    controller.switched(DOMAIN, "secondary");
    assertThat(controller.active(DOMAIN)).isEqualTo("secondary");
    assertThat(controller.lastSwitch(DOMAIN)).isEqualTo(T0);
  }

  @Test
  void anExecutedSwitchThatFailedSaysWhy() {
    Decision d = controller.decide(DOMAIN, quorum(), Gate.open()).executed(false, "HTTP 503");
    assertThat(d.outcome()).isEqualTo(Decision.Outcome.SWITCH_FAILED);
    assertThat(d.reason()).isEqualTo(Decision.Reason.SWITCH_ERROR);
    assertThat(d.explanation()).endsWith("The switch failed: HTTP 503");
  }

  @Test
  void policyRejectsAQuorumLargerThanTheObservers() {
    List<String> errors = new ArrayList<>();
    try {
      new FailoverPolicy(OBSERVERS, 4, Duration.ZERO, List.of(new DomainPolicy(DOMAIN, List.of("a", "b"), "a")));
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    assertThat(errors).containsExactly("quorum must be 1-3 (the observers), got 4");
  }
}
