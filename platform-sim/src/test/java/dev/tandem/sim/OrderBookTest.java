package dev.tandem.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OrderBookTest {
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-01T00:00:00Z"), ZoneOffset.UTC);
  private final List<Change> changes = new ArrayList<>();

  private OrderBook book(int maxOrders, int maxKeys) {
    return new OrderBook(clock, new Dice(new SplittableRandom(1)), maxOrders, maxKeys, 100, changes::add);
  }

  @Test
  void evictsTheOldestInvoicedOrderAtTheBound() {
    OrderBook book = book(3, 10);
    String a = book.submit(null, "S", 1, "c").order().id();
    String b = book.submit(null, "S", 1, "c").order().id();
    book.allocate(b);
    book.pick(b);
    book.ship(b);
    book.invoice(b);
    String c = book.submit(null, "S", 1, "c").order().id();

    String d = book.submit(null, "S", 1, "c").order().id();

    assertThat(book.size()).isEqualTo(3);
    assertThat(book.get(b).status()).isEqualTo(404);
    assertThat(List.of(a, c, d)).allSatisfy(id -> assertThat(book.get(id).status()).isEqualTo(200));
    assertThat(book.evictedOrders()).isEqualTo(1);
  }

  @Test
  void evictsTheOldestOrderWhenNoneIsInvoiced() {
    OrderBook book = book(2, 10);
    String a = book.submit(null, "S", 1, "c").order().id();
    String b = book.submit(null, "S", 1, "c").order().id();

    book.submit(null, "S", 1, "c");

    assertThat(book.get(a).status()).isEqualTo(404);
    assertThat(book.get(b).status()).isEqualTo(200);
  }

  @Test
  void forgetsTheOldestIdempotencyKeyAtTheBound() {
    OrderBook book = book(10, 2);
    String first = book.submit("k1", "S", 1, "c").order().id();
    book.submit("k2", "S", 1, "c");
    book.submit("k3", "S", 1, "c");

    OrderBook.Outcome again = book.submit("k1", "S", 1, "c");
    OrderBook.Outcome kept = book.submit("k3", "S", 1, "c");

    assertThat(again.order().id()).isNotEqualTo(first);
    assertThat(again.replayed()).isFalse();
    assertThat(kept.replayed()).isTrue();
  }

  @Test
  void everyWriteIsOfferedForReplicationButReadsAreNot() {
    OrderBook book = book(10, 10);
    String id = book.submit(null, "S", 1, "c").order().id();
    book.get(id);
    book.allocate(id);
    book.delete(id);

    assertThat(changes).hasSize(3);
    assertThat(changes.get(2).deletedId()).isEqualTo(id);

    OrderBook replica = book(10, 10);
    changes.subList(0, 2).forEach(replica::apply);
    assertThat(replica.get(id).order().status()).isEqualTo(OrderStatus.ALLOCATED);
    replica.apply(changes.get(2));
    assertThat(replica.get(id).status()).isEqualTo(404);
  }
}
