package dev.tandem.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class OrderLifecycleTest {
  private final OffsetClock clock = new OffsetClock();
  private PlatformSimulator sim;
  private TestHttp http;
  private String primary;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    sim = PlatformSimulator.create(vertx, SimSettings.builder()
        .initialStock(10)
        .replicationDelay(Duration.ofHours(1)) // replication only when the test moves the clock
        .clock(clock)
        .random(new SplittableRandom(42))
        .build());
    TestHttp.await(sim.start());
    http = new TestHttp(vertx);
    primary = sim.baseUrl("primary");
  }

  @AfterEach
  void stop() throws Exception {
    TestHttp.await(sim.stop());
  }

  @Test
  void orderGoesFromSubmissionToInvoice() throws Exception {
    HttpResponse<Buffer> submitted = http.submit(primary, Map.of("Idempotency-Key", "k-1"));
    assertThat(submitted.statusCode()).isEqualTo(201);
    JsonObject order = submitted.bodyAsJsonObject();
    assertThat(order.getString("status")).isEqualTo("SUBMITTED");
    assertThat(order.getString("sku")).isEqualTo("SKU-1");
    assertThat(order.getInteger("qty")).isEqualTo(1);
    assertThat(order.getString("customer")).isEqualTo("synthetic");
    String id = order.getString("id");
    String orderUrl = primary + "/orders/" + id;

    assertStatus(http.post(orderUrl + "/allocation"), 200, "ALLOCATED");
    assertThat(http.get(primary + "/inventory/SKU-1").bodyAsJsonObject().getInteger("available")).isEqualTo(9);
    assertStatus(http.post(orderUrl + "/pick-confirmation"), 200, "PICKED");
    assertStatus(http.post(orderUrl + "/shipment-confirmation"), 200, "SHIPPED");
    HttpResponse<Buffer> invoice = http.post(orderUrl + "/invoice");
    assertThat(invoice.statusCode()).isEqualTo(201);
    JsonObject invoiceBody = invoice.bodyAsJsonObject();
    assertThat(invoiceBody.getString("status")).isEqualTo("INVOICED");
    assertThat(invoiceBody.getString("orderId")).isEqualTo(id);
    assertThat(invoiceBody.getString("invoiceId")).isNotBlank();
    assertThat(invoiceBody.getDouble("amount")).isEqualTo(OrderBook.unitPriceCents("SKU-1") / 100.0);
    assertStatus(http.get(orderUrl), 200, "INVOICED");

    HttpResponse<Buffer> replay = http.submit(primary, Map.of("Idempotency-Key", "k-1"));
    assertThat(replay.statusCode()).isEqualTo(201);
    assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.bodyAsJsonObject().getString("id")).isEqualTo(id);
  }

  @Test
  void sameIdempotencyKeyReturnsTheSameOrderAndRejectsADifferentBody() throws Exception {
    JsonObject first = http.submit(primary, Map.of("Idempotency-Key", "k-2")).bodyAsJsonObject();
    HttpResponse<Buffer> again = http.submit(primary, Map.of("Idempotency-Key", "k-2"));
    HttpResponse<Buffer> other = http.submit(primary, Map.of("Idempotency-Key", "k-3"));
    HttpResponse<Buffer> conflicting = http.post(primary + "/orders",
        new JsonObject().put("sku", "SKU-2").put("qty", 1).put("customer", "synthetic"),
        Map.of("Idempotency-Key", "k-2"));

    assertThat(again.bodyAsJsonObject()).isEqualTo(first);
    assertThat(other.bodyAsJsonObject().getString("id")).isNotEqualTo(first.getString("id"));
    assertThat(conflicting.statusCode()).isEqualTo(422);
  }

  @Test
  void stepsOutOfOrderAreRejectedWithAConflict() throws Exception {
    String id = http.submit(primary, Map.of()).bodyAsJsonObject().getString("id");

    HttpResponse<Buffer> ship = http.post(primary + "/orders/" + id + "/shipment-confirmation");
    HttpResponse<Buffer> invoice = http.post(primary + "/orders/" + id + "/invoice");
    http.post(primary + "/orders/" + id + "/allocation");
    HttpResponse<Buffer> allocateTwice = http.post(primary + "/orders/" + id + "/allocation");

    assertThat(ship.statusCode()).isEqualTo(409);
    assertThat(ship.bodyAsJsonObject().getString("error")).isEqualTo("invalid_transition");
    assertThat(invoice.statusCode()).isEqualTo(409);
    assertThat(allocateTwice.statusCode()).isEqualTo(409);
  }

  @Test
  void unknownOrdersAre404AndBadBodiesAre400() throws Exception {
    assertThat(http.get(primary + "/orders/ord-missing").statusCode()).isEqualTo(404);
    assertThat(http.post(primary + "/orders/ord-missing/allocation").statusCode()).isEqualTo(404);
    assertThat(http.send(HttpMethod.DELETE, primary + "/orders/ord-missing", Map.of(), null).statusCode()).isEqualTo(404);

    HttpResponse<Buffer> malformed = http.send(HttpMethod.POST, primary + "/orders", Map.of(), "{\"sku\": ");
    HttpResponse<Buffer> noQty = http.post(primary + "/orders",
        new JsonObject().put("sku", "SKU-1").put("customer", "c"), Map.of());
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.bodyAsJsonObject().getString("message")).contains("malformed JSON");
    assertThat(noQty.statusCode()).isEqualTo(400);
    assertThat(noQty.bodyAsJsonObject().getString("message")).startsWith("qty");
  }

  @Test
  void allocationBeyondStockIsRefusedUntilTheRestock() throws Exception {
    JsonObject big = new JsonObject().put("sku", "SKU-9").put("qty", 10).put("customer", "c");
    String first = http.post(primary + "/orders", big, Map.of()).bodyAsJsonObject().getString("id");
    String second = http.post(primary + "/orders", big, Map.of()).bodyAsJsonObject().getString("id");

    assertThat(http.post(primary + "/orders/" + first + "/allocation").statusCode()).isEqualTo(200);
    HttpResponse<Buffer> refused = http.post(primary + "/orders/" + second + "/allocation");
    assertThat(refused.statusCode()).isEqualTo(409);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("out_of_stock");
    // The restock timer (every 5 s by default) tops the SKU up again.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(http.get(primary + "/inventory/SKU-9").bodyAsJsonObject().getInteger("available")).isEqualTo(10));
    assertThat(http.post(primary + "/orders/" + second + "/allocation").statusCode()).isEqualTo(200);
  }

  @Test
  void deletingAnAllocatedOrderReleasesItsStock() throws Exception {
    String id = http.submit(primary, Map.of()).bodyAsJsonObject().getString("id");
    http.post(primary + "/orders/" + id + "/allocation");
    assertThat(http.get(primary + "/inventory/SKU-1").bodyAsJsonObject().getInteger("available")).isEqualTo(9);

    assertThat(http.send(HttpMethod.DELETE, primary + "/orders/" + id, Map.of(), null).statusCode()).isEqualTo(204);

    assertThat(http.get(primary + "/orders/" + id).statusCode()).isEqualTo(404);
    assertThat(http.get(primary + "/inventory/SKU-1").bodyAsJsonObject().getInteger("available")).isEqualTo(10);
  }

  @Test
  void standbyAppliesPrimaryWritesOnlyAfterTheReplicationDelay() throws Exception {
    String id = http.submit(primary, Map.of("Idempotency-Key", "k-r")).bodyAsJsonObject().getString("id");
    String onStandby = sim.baseUrl("secondary") + "/orders/" + id;
    assertThat(http.get(onStandby).statusCode()).isEqualTo(404);

    clock.advance(Duration.ofHours(1).plusSeconds(1));

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(http.get(onStandby).statusCode()).isEqualTo(200));
    assertThat(sim.replicationLagSeconds("secondary").orElseThrow()).isGreaterThanOrEqualTo(3600.0);
    assertThat(sim.replicationLagSeconds("primary")).isEmpty();
    // The key replicates with the order: a retry after failover finds the same order.
    sim.setActive("secondary");
    HttpResponse<Buffer> retry = http.submit(sim.baseUrl("secondary"), Map.of("Idempotency-Key", "k-r"));
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(retry.bodyAsJsonObject().getString("id")).isEqualTo(id);
  }

  @Test
  void replayedInvoiceReturnsTheSameInvoiceAndNeverIssuesASecond() throws Exception {
    String id = http.submit(primary, Map.of()).bodyAsJsonObject().getString("id");
    String orderUrl = primary + "/orders/" + id;
    http.post(orderUrl + "/allocation");
    http.post(orderUrl + "/pick-confirmation");
    http.post(orderUrl + "/shipment-confirmation");
    JsonObject first = http.post(orderUrl + "/invoice").bodyAsJsonObject();

    HttpResponse<Buffer> replay = http.post(orderUrl + "/invoice");

    assertThat(replay.statusCode()).isEqualTo(201);
    assertThat(replay.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(replay.bodyAsJsonObject()).isEqualTo(first);
    assertThat(http.get(primary + "/healthz").bodyAsJsonObject().getLong("invoices")).isEqualTo(1);
  }

  @Test
  void allocationDecrementsOnlyThatSkusStock() throws Exception {
    JsonObject three = new JsonObject().put("sku", "SKU-3").put("qty", 3).put("customer", "synthetic");
    String id = http.post(primary + "/orders", three, Map.of()).bodyAsJsonObject().getString("id");
    assertThat(http.get(primary + "/inventory/SKU-3").bodyAsJsonObject().getInteger("available")).isEqualTo(10);

    http.post(primary + "/orders/" + id + "/allocation");

    assertThat(http.get(primary + "/inventory/SKU-3").bodyAsJsonObject().getInteger("available")).isEqualTo(7);
    assertThat(http.get(primary + "/inventory/SKU-1").bodyAsJsonObject().getInteger("available")).isEqualTo(10);
  }

  private static void assertStatus(HttpResponse<Buffer> response, int code, String status) {
    assertThat(response.statusCode()).isEqualTo(code);
    assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo(status);
  }
}
