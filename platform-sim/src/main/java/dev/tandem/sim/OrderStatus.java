package dev.tandem.sim;

/** Where an order is in its lifecycle; each status is reached from the one before it only. */
enum OrderStatus {
  SUBMITTED,
  ALLOCATED,
  PICKED,
  SHIPPED,
  INVOICED;

  /** Stock is held from allocation until the goods leave the warehouse. */
  boolean holdsStock() {
    return this == ALLOCATED || this == PICKED;
  }
}
