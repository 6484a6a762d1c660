package dev.tandem.sim;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One cloud's in-memory order database and stock. Not thread-safe: its cloud's event loop owns it.
 *
 * <p>Bounds: at most {@code maxOrders} orders; at the bound the oldest invoiced order is evicted,
 * or the oldest order of any status if none is invoiced. At most {@code maxKeys} idempotency keys,
 * the oldest forgotten first. At most {@link #MAX_TRACKED_SKUS} SKUs with stock below the initial
 * level; an untracked SKU has {@code initialStock}, so a restock simply forgets them all.
 */
final class OrderBook {
  static final int MAX_TRACKED_SKUS = 1_000;
  /**
   * A well-known order the active cloud keeps and rewrites at every heartbeat, so that a read-only
   * probe of the standby can read an order that certainly came through replication. It is never
   * evicted and cannot be deleted.
   */
  static final String CANARY_ID = "ord-canary";
  static final String CANARY_SKU = "SKU-CANARY";

  /** What an operation answered: an HTTP status and the order, or an error code and message. */
  record Outcome(int status, Order order, String error, String message, boolean replayed) {
    static Outcome ok(int status, Order order) {
      return new Outcome(status, order, null, null, false);
    }

    static Outcome fail(int status, String error, String message) {
      return new Outcome(status, null, error, message, false);
    }

    boolean isSuccess() {
      return error == null;
    }
  }

  private record KeyedRequest(String orderId, String sku, int qty, String customer) {}

  private final Clock clock;
  private final Dice dice;
  private final int maxOrders;
  private final int initialStock;
  private final Map<String, Order> orders = new LinkedHashMap<>();
  private final Map<String, KeyedRequest> keys;
  private final Map<String, Integer> stock = new LinkedHashMap<>();
  private final Consumer<Change> changes;
  private long evictedOrders;
  private long invoicesIssued;

  OrderBook(Clock clock, Dice dice, int maxOrders, int maxKeys, int initialStock, Consumer<Change> changes) {
    this.clock = clock;
    this.dice = dice;
    this.maxOrders = maxOrders;
    this.initialStock = initialStock;
    this.changes = changes;
    this.keys =
        new LinkedHashMap<>() {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, KeyedRequest> eldest) {
            return size() > maxKeys;
          }
        };
  }

  Outcome submit(String idempotencyKey, String sku, int qty, String customer) {
    if (idempotencyKey != null) {
      KeyedRequest earlier = keys.get(idempotencyKey);
      if (earlier != null && orders.containsKey(earlier.orderId())) {
        if (!earlier.equals(new KeyedRequest(earlier.orderId(), sku, qty, customer))) {
          return Outcome.fail(422, "idempotency_key_reused",
              "Idempotency-Key was used for a different order body");
        }
        return new Outcome(201, orders.get(earlier.orderId()), null, null, true);
      }
    }
    Instant now = clock.instant();
    Order order = new Order(dice.nextId("ord-"), sku, qty, customer, OrderStatus.SUBMITTED, now, now, null, 0);
    put(order, idempotencyKey);
    changes.accept(Change.upsert(now, order, idempotencyKey));
    return Outcome.ok(201, order);
  }

  Outcome get(String id) {
    Order order = orders.get(id);
    return order == null ? notFound(id) : Outcome.ok(200, order);
  }

  Outcome delete(String id) {
    if (CANARY_ID.equals(id) && orders.containsKey(id)) {
      return Outcome.fail(409, "protected", "order " + id + " is the replication canary and cannot be deleted");
    }
    Order order = orders.remove(id);
    if (order == null) {
      return notFound(id);
    }
    if (order.status().holdsStock()) {
      release(order.sku(), order.qty());
    }
    changes.accept(Change.delete(clock.instant(), id));
    return Outcome.ok(204, order);
  }

  Outcome allocate(String id) {
    Order order = orders.get(id);
    if (order == null) {
      return notFound(id);
    }
    if (order.status() != OrderStatus.SUBMITTED) {
      return wrongState(order, "allocate", OrderStatus.SUBMITTED);
    }
    int available = available(order.sku());
    if (available < order.qty()) {
      return Outcome.fail(409, "out_of_stock",
          "only " + available + " of " + order.sku() + " available, order needs " + order.qty());
    }
    track(order.sku(), available - order.qty());
    return transition(order, OrderStatus.ALLOCATED);
  }

  Outcome pick(String id) {
    return advance(id, "pick", OrderStatus.ALLOCATED, OrderStatus.PICKED);
  }

  Outcome ship(String id) {
    return advance(id, "ship", OrderStatus.PICKED, OrderStatus.SHIPPED);
  }

  Outcome invoice(String id) {
    Order order = orders.get(id);
    if (order == null) {
      return notFound(id);
    }
    if (order.status() == OrderStatus.INVOICED) {
      // A replayed invoice request (a retry after a lost answer): the same invoice, never a second.
      return new Outcome(201, order, null, null, true);
    }
    if (order.status() != OrderStatus.SHIPPED) {
      return wrongState(order, "invoice", OrderStatus.SHIPPED);
    }
    Instant now = clock.instant();
    Order invoiced = order.invoiced("inv-" + order.id().substring(4), order.qty() * unitPriceCents(order.sku()), now);
    orders.put(id, invoiced);
    invoicesIssued++;
    changes.accept(Change.upsert(now, invoiced, null));
    return Outcome.ok(201, invoiced);
  }

  /**
   * Writes the replication canary (created on first use, then its {@code updatedAt} moved to now)
   * and ships the write like any other; the active cloud calls it at every heartbeat.
   */
  void touchCanary() {
    Instant now = clock.instant();
    Order existing = orders.get(CANARY_ID);
    Order canary = existing == null
        ? new Order(CANARY_ID, CANARY_SKU, 1, "synthetic", OrderStatus.INVOICED, now, now,
            "inv-canary", unitPriceCents(CANARY_SKU))
        : existing.touched(now);
    put(canary, null);
    changes.accept(Change.upsert(now, canary, null));
  }

  /** Invoices issued here (replays of an invoice request do not count). */
  long invoicesIssued() {
    return invoicesIssued;
  }

  int available(String sku) {
    return stock.getOrDefault(sku, initialStock);
  }

  /** Tops every SKU back up to the initial stock, so synthetic traffic never starves. */
  void restock() {
    stock.clear();
  }

  /** Applies a write replicated from the active cloud. */
  void apply(Change change) {
    if (change.order() != null) {
      Order order = change.order();
      orders.remove(order.id());
      put(order, change.idempotencyKey());
    } else if (change.deletedId() != null) {
      orders.remove(change.deletedId());
    }
  }

  int size() {
    return orders.size();
  }

  long evictedOrders() {
    return evictedOrders;
  }

  static long unitPriceCents(String sku) {
    return 500 + Math.floorMod(sku.hashCode(), 9_500);
  }

  private void put(Order order, String idempotencyKey) {
    if (orders.size() >= maxOrders && !orders.containsKey(order.id())) {
      evictOne();
    }
    orders.put(order.id(), order);
    if (idempotencyKey != null) {
      keys.put(idempotencyKey, new KeyedRequest(order.id(), order.sku(), order.qty(), order.customer()));
    }
  }

  private void evictOne() {
    Iterator<Order> it = orders.values().iterator();
    while (it.hasNext()) {
      Order candidate = it.next();
      if (candidate.status() == OrderStatus.INVOICED && !CANARY_ID.equals(candidate.id())) {
        it.remove();
        evictedOrders++;
        return;
      }
    }
    Iterator<String> oldest = orders.keySet().iterator();
    while (oldest.hasNext()) {
      if (!CANARY_ID.equals(oldest.next())) {
        oldest.remove();
        evictedOrders++;
        return;
      }
    }
  }

  private Outcome advance(String id, String action, OrderStatus from, OrderStatus to) {
    Order order = orders.get(id);
    if (order == null) {
      return notFound(id);
    }
    if (order.status() != from) {
      return wrongState(order, action, from);
    }
    return transition(order, to);
  }

  private Outcome transition(Order order, OrderStatus to) {
    Instant now = clock.instant();
    Order next = order.moveTo(to, now);
    orders.put(next.id(), next);
    changes.accept(Change.upsert(now, next, null));
    return Outcome.ok(200, next);
  }

  private void release(String sku, int qty) {
    track(sku, Math.min(initialStock, available(sku) + qty));
  }

  private void track(String sku, int available) {
    if (available >= initialStock) {
      stock.remove(sku);
      return;
    }
    if (!stock.containsKey(sku) && stock.size() >= MAX_TRACKED_SKUS) {
      // At the bound the oldest tracked SKU is restocked early: better than refusing an order.
      Iterator<String> oldest = stock.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    stock.put(sku, available);
  }

  private static Outcome notFound(String id) {
    return Outcome.fail(404, "order_not_found", "no order " + Objects.toString(id));
  }

  private static Outcome wrongState(Order order, String action, OrderStatus expected) {
    return Outcome.fail(409, "invalid_transition",
        "cannot " + action + " order " + order.id() + " in status " + order.status()
            + ", it must be " + expected);
  }
}
