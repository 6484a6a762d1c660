package dev.tandem.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.slo.BudgetingMethod;
import dev.tandem.engine.slo.Selector;
import dev.tandem.engine.slo.SloSpec;
import dev.tandem.engine.slo.SloWindow;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PrometheusRulesTest {

  static SloSpec slo(String name, Duration period, String target, BudgetingMethod method) {
    boolean slices = method != BudgetingMethod.OCCURRENCES;
    return new SloSpec(name, name, "orders", SloWindow.rolling(period), method, new BigDecimal(target),
        method == BudgetingMethod.TIMESLICES ? new BigDecimal("0.95") : null, slices ? Duration.ofMinutes(1) : null,
        new Selector(Selector.Source.SPAN, Map.of(Selector.SERVICE, "order-service")), null, null);
  }

  private static List<String> matches(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({
      "30, 0.999, 0.0144, 0.006, 0.003, 0.001",
      "28, 0.999, 0.01344, 0.0056, 0.0028, 0.0009333333333333333",
      "28, 0.995, 0.0672, 0.028, 0.014, 0.0046666666666666665",
  })
  void thresholdsAreFactorTimesBudgetWrittenExactly(int days, String target, String pageFast, String pageSlow,
      String ticketFast, String ticketSlow) {
    String yaml = PrometheusRules.generate(List.of(slo("orders", Duration.ofDays(days), target,
        BudgetingMethod.OCCURRENCES)));
    assertThat(matches(yaml, "} > ([0-9.Ee+-]+)\\)"))
        .containsExactly(pageFast, pageFast, pageSlow, pageSlow, ticketFast, ticketFast, ticketSlow, ticketSlow);
  }

  @Test
  void everyTierWindowHasOneRecordingRuleShortestFirst() {
    String yaml = PrometheusRules.generate(List.of(slo("orders", Duration.ofDays(28), "0.999",
        BudgetingMethod.OCCURRENCES)));
    assertThat(matches(yaml, "- record: (\\S+)")).containsExactly("tandem:slo_error_ratio:rate5m",
        "tandem:slo_error_ratio:rate30m", "tandem:slo_error_ratio:rate1h", "tandem:slo_error_ratio:rate2h",
        "tandem:slo_error_ratio:rate6h", "tandem:slo_error_ratio:rate1d", "tandem:slo_error_ratio:rate3d");
    assertThat(yaml).contains("expr: 'sum by (slo, cloud) (rate(tandem_slo_events_total{slo=\"orders\","
        + "outcome=\"bad\"}[1h])) / sum by (slo, cloud) (rate(tandem_slo_events_total{slo=\"orders\"}[1h]))'");
  }

  @Test
  void tiersCarrySeverityWindowsAndExhaustionLikeTheEngine() {
    String yaml = PrometheusRules.generate(List.of(slo("orders", Duration.ofDays(28), "0.999",
        BudgetingMethod.OCCURRENCES)));
    assertThat(matches(yaml, "- alert: (\\S+)")).containsExactly("TandemSloBurnRate_orders_page_fast",
        "TandemSloBurnRate_orders_page_slow", "TandemSloBurnRate_orders_ticket_fast",
        "TandemSloBurnRate_orders_ticket_slow", "TandemSloNoData_orders");
    assertThat(matches(yaml, "severity: '(\\w+)'")).containsExactly("page", "page", "ticket", "ticket", "ticket");
    assertThat(matches(yaml, "long: '(\\w+)'")).containsExactly("1h", "6h", "1d", "3d");
    assertThat(matches(yaml, "short: '(\\w+)'")).containsExactly("5m", "30m", "2h", "6h");
    // The engine's (and Pyrra's) exhaustion: 28 days / 13.44 = 50 h; / 5.6 = 5 d; / 2.8 = 10 d; / 0.9333 = 30 d.
    assertThat(matches(yaml, "exhaustion: '(\\w+)'")).containsExactly("50h", "5d", "10d", "30d");
  }

  @Test
  void slashNamesAreSanitizedInRuleNamesButExactInSelectors() {
    String yaml = PrometheusRules.generate(List.of(
        slo("orders/p99 latency", Duration.ofDays(28), "0.99", BudgetingMethod.OCCURRENCES),
        slo("orders_p99_latency", Duration.ofDays(28), "0.99", BudgetingMethod.OCCURRENCES),
        slo("it's \"quoted\"", Duration.ofDays(28), "0.99", BudgetingMethod.OCCURRENCES)));
    assertThat(matches(yaml, "- name: '(\\S+)'")).containsExactly("tandem-slo-it_s__quoted_",
        "tandem-slo-orders_p99_latency", "tandem-slo-orders_p99_latency_2");
    assertThat(yaml).contains("alert: TandemSloBurnRate_orders_p99_latency_page_fast")
        .contains("alert: TandemSloBurnRate_orders_p99_latency_2_page_fast")
        .contains("{slo=\"orders/p99 latency\"}")
        .contains("{slo=\"it''s \\\"quoted\\\"\"}");
  }

  @Test
  void timesliceSlosAreApproximatedByOccurrencesAndSaySo() {
    String yaml = PrometheusRules.generate(List.of(
        slo("slices", Duration.ofDays(28), "0.99", BudgetingMethod.TIMESLICES),
        slo("events", Duration.ofDays(28), "0.99", BudgetingMethod.OCCURRENCES)));
    assertThat(yaml).contains("# slices is a TIMESLICES SLO: Prometheus sees events, not slices")
        .doesNotContain("# events is a")
        .contains("alert: TandemSloBurnRate_slices_page_fast");
  }

  @Test
  void outputIsDeterministicWhateverTheInputOrder() {
    SloSpec a = slo("a", Duration.ofDays(28), "0.99", BudgetingMethod.OCCURRENCES);
    SloSpec b = slo("b", Duration.ofMinutes(30), "0.9", BudgetingMethod.OCCURRENCES);
    String ab = PrometheusRules.generate(List.of(a, b));
    assertThat(PrometheusRules.generate(List.of(b, a))).isEqualTo(ab);
    assertThat(ab.indexOf("tandem-slo-a'")).isLessThan(ab.indexOf("tandem-slo-b'"));
    // A 30-minute demo period scales the windows (1h x 30m / 30d = 2.5 s) and keeps the 30-day factors.
    assertThat(ab).contains("tandem:slo_error_ratio:rate2500ms").contains("> 1.44)");
  }

  @Test
  void noSlosGiveAnEmptyButValidFile() {
    assertThat(PrometheusRules.generate(List.of())).endsWith("groups: []\n");
  }
}
