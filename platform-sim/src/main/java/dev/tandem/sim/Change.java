package dev.tandem.sim;

import java.time.Instant;

/**
 * One write of the active cloud, shipped to the standby. A heartbeat carries no data: the
 * active cloud sends one every second so the standby can measure its lag when nobody writes.
 *
 * @param writtenAt when the active cloud wrote it
 * @param order the order as written, or null for a deletion or a heartbeat
 * @param deletedId the deleted order's id, or null
 * @param idempotencyKey the key the order was submitted with, or null
 */
record Change(Instant writtenAt, Order order, String deletedId, String idempotencyKey) {
  static Change heartbeat(Instant at) {
    return new Change(at, null, null, null);
  }

  static Change upsert(Instant at, Order order, String idempotencyKey) {
    return new Change(at, order, null, idempotencyKey);
  }

  static Change delete(Instant at, String id) {
    return new Change(at, null, id, null);
  }
}
