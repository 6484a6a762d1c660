package dev.tandem.synthetics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.engine.yaml.Problem;
import dev.tandem.engine.yaml.Problems;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JourneyParserTest {
  @TempDir Path dir;

  private static Path demo(String name) throws URISyntaxException {
    return Path.of(JourneyParserTest.class.getResource("/journeys/" + name).toURI());
  }

  @Test
  void demoOrderToInvoiceJourneyParsesCompletely() throws Exception {
    Problems problems = new Problems();
    Optional<Journey> parsed = JourneyParser.parse(demo("order-to-invoice.yaml"), problems);

    assertThat(problems.sorted()).isEmpty();
    Journey journey = parsed.orElseThrow();
    assertThat(journey.name()).isEqualTo("order-to-invoice");
    assertThat(journey.roles()).containsExactly(Journey.ACTIVE);
    assertThat(journey.runsAgainst("active")).isTrue();
    assertThat(journey.runsAgainst("standby")).isFalse();
    assertThat(journey.steps()).extracting(Step::name).containsExactly("submit-order", "allocate",
        "pick-confirm", "ship-confirm", "invoice", "cleanup");

    Step submit = journey.steps().get(0);
    assertThat(submit.request().method()).isEqualTo("POST");
    assertThat(submit.request().headers()).containsEntry("Idempotency-Key", "{{uuid}}");
    assertThat(submit.request().json()).isEqualTo(Map.of("sku", "SKU-1", "qty", 1L, "customer", "synthetic"));
    assertThat(submit.expect().status()).containsExactly(201);
    assertThat(submit.expect().jsonPath()).containsEntry(JsonPath.parse("$.status"), "SUBMITTED");
    assertThat(submit.expect().maxLatencyMs()).isEqualTo(2000);
    assertThat(submit.extract().get("orderId").jsonPath()).hasToString("$.id");
    assertThat(submit.critical()).isTrue();
    assertThat(submit.always()).isFalse();

    Step allocate = journey.steps().get(1);
    assertThat(allocate.request().path()).isEqualTo("/orders/{{orderId}}/allocation");
    assertThat(allocate.request().variables()).containsExactly("orderId");

    Step cleanup = journey.steps().get(5);
    assertThat(cleanup.request().method()).isEqualTo("DELETE");
    assertThat(cleanup.always()).isTrue();
    assertThat(cleanup.critical()).isFalse();
    assertThat(cleanup.expect()).isEqualTo(StepExpectation.ANY_2XX);
  }

  @Test
  void bothRoleMeansActiveAndStandby() throws Exception {
    Problems problems = new Problems();
    Journey journey = JourneyParser.parse(demo("stock-lookup.yaml"), problems).orElseThrow();

    assertThat(journey.roles()).containsExactlyInAnyOrder(Journey.ACTIVE, Journey.STANDBY);
    assertThat(journey.steps()).extracting(s -> s.request().path())
        .containsExactly("/inventory/SKU-1", "/healthz");
  }

  @Test
  void rolesDefaultToActiveAndStatusDefaultsToAny2xx() {
    Journey journey = Journeys.parse(dir, """
        journey: minimal
        steps:
          - name: ping
            request: {method: get, path: /healthz}
        """);

    assertThat(journey.roles()).containsExactly(Journey.ACTIVE);
    assertThat(journey.steps().get(0).request().method()).isEqualTo("GET");
    assertThat(journey.steps().get(0).expect().statusMatches(204)).isTrue();
    assertThat(journey.steps().get(0).expect().statusMatches(301)).isFalse();
  }

  @Test
  void brokenFileReportsEveryProblemAtItsLineAndColumn() {
    Path file = Journeys.write(dir, "broken.yaml", """
        journey: order-to-invoice
        roles: [active, sideways]
        colour: blue
        steps:
          - name: submit-order
            request: {method: FETCH, path: /orders, json: {ref: "{{orderId}}"}}
            expect: {status: [201, 99], jsonPath: {"$.items[*]": x}, latency: 5}
            extract: {orderId: "$.id", uuid: "$.x", location: "Location"}
          - name: submit-order
            request: {method: POST, path: "/orders/{{orderId}}/x", headers: {X-Ref: "{{bogus"}}
            retries: 3
          - request: {method: GET, path: "inventory/{{sku}}", query: {at: "{{env:}}"}}
            timeoutMs: 0
          - name: cleanup
            request: {method: DELETE, path: "/orders/{{receipt}}", headers: {traceparent: x}}
            extract: {receipt: "header:Receipt"}
        """);
    Problems problems = new Problems();

    Optional<Journey> journey = JourneyParser.parse(file, problems);

    assertThat(journey).isEmpty();
    assertThat(problems.sorted()).extracting(JourneyParserTest::at).containsExactly(
        "2:17: role 'sideways' must be active, standby or both",
        "3:1: unknown key 'colour' (expected one of: journey, description, roles, steps)",
        "6:23: method 'FETCH' is not one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
        "6:57: template variable {{orderId}} is used before step 'submit-order' extracts it",
        "7:28: an item of 'status' must be between 100 and 599, found 99",
        "7:44: bad JSONPath '$.items[*]': '*' at position 8 is not supported: use $, .field, ['field'] and [index] only",
        "7:62: unknown key 'latency' (expected one of: status, jsonPath, headers, bodyContains, maxLatencyMs)",
        "8:32: 'uuid' cannot be a variable name (letters, digits and _; not uuid or now)",
        "8:55: bad extraction for 'location': 'Location' must be a JSONPath ($.field) or header:Name",
        "9:11: duplicate step name 'submit-order' (first at line 5)",
        "10:77: unclosed '{{' in \"{{bogus\"",
        "11:5: unknown key 'retries' (expected one of: name, request, expect, extract, timeoutMs, always, critical)",
        "12:5: missing required key 'name'",
        "12:34: 'path' must start with '/' (it is relative to the target's base URL)",
        "12:67: '{{env:}}' needs an environment variable name",
        "13:16: 'timeoutMs' must be between 1 and 300000, found 0",
        "15:37: template variable {{receipt}} is used before step 'cleanup' extracts it",
        "15:70: header 'traceparent' is set by the runner");
  }

  @Test
  void missingTopLevelKeysAreNamed() {
    Path file = Journeys.write(dir, "empty.yaml", "description: nothing here\n");
    Problems problems = new Problems();

    assertThat(JourneyParser.parse(file, problems)).isEmpty();
    assertThat(problems.sorted()).extracting(JourneyParserTest::at).containsExactly(
        "1:1: missing required key 'journey'",
        "1:1: missing required key 'steps'");
  }

  @Test
  void unknownKeysAreRejectedAtEveryLevel() {
    Path file = Journeys.write(dir, "typos.yaml", """
        journey: typos
        role: [active]
        steps:
          - name: one
            request: {method: GET, path: /a, header: {A: b}}
            expect: {statuses: [200]}
            critcal: false
        """);
    Problems problems = new Problems();

    assertThat(JourneyParser.parse(file, problems)).isEmpty();
    List<String> messages = problems.sorted().stream().map(JourneyParserTest::at).toList();
    assertThat(messages).hasSize(4);
    assertThat(messages.get(0)).startsWith("2:1: unknown key 'role'");
    assertThat(messages.get(1)).startsWith("5:38: unknown key 'header'");
    assertThat(messages.get(2)).startsWith("6:14: unknown key 'statuses'");
    assertThat(messages.get(3)).startsWith("7:5: unknown key 'critcal'");
  }

  @Test
  void variableFromAnEarlierStepAndFromHeadersIsAccepted() {
    Journey journey = Journeys.parse(dir, """
        journey: chain
        steps:
          - name: create
            request: {method: POST, path: /things, body: "at {{now}} by {{env:USER_NAME}}"}
            extract: {where: "header:Location", id: "$['the id'][0]"}
          - name: read
            request: {method: GET, path: "/things/{{id}}", query: {from: "{{where}}"}}
        """);

    assertThat(journey.steps().get(1).request().variables()).containsExactlyInAnyOrder("id", "where");
    assertThat(journey.steps().get(0).extract().get("where").header()).isEqualTo("Location");
    assertThat(Set.copyOf(journey.steps().get(0).extract().keySet())).containsExactlyInAnyOrder("where", "id");
  }

  private static String at(Problem p) {
    return p.location().line() + ":" + p.location().column() + ": " + p.message();
  }
}
