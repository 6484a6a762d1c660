package dev.tandem.sim;

import java.time.Instant;
import java.util.Objects;

/** An order, immutable: every transition makes a new one. */
record Order(
    String id,
    String sku,
    int qty,
    String customer,
    OrderStatus status,
    Instant createdAt,
    Instant updatedAt,
    String invoiceId,
    long amountCents) {

  Order {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(sku, "sku");
    Objects.requireNonNull(customer, "customer");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
  }

  Order moveTo(OrderStatus next, Instant at) {
    return new Order(id, sku, qty, customer, next, createdAt, at, invoiceId, amountCents);
  }

  Order touched(Instant at) {
    return new Order(id, sku, qty, customer, status, createdAt, at, invoiceId, amountCents);
  }

  Order invoiced(String newInvoiceId, long cents, Instant at) {
    return new Order(id, sku, qty, customer, OrderStatus.INVOICED, createdAt, at, newInvoiceId, cents);
  }
}
