package dev.tandem.sim;

import java.util.Arrays;
import java.util.Optional;

/**
 * The simulated platform's operations, each owned by one service. Fault injection names them by
 * {@link #wireName()} ({@code submit}, {@code allocate}, ...).
 */
public enum Operation {
  SUBMIT("submit", "order-service", "POST", "/orders"),
  READ("read", "order-service", "GET", "/orders/{id}"),
  DELETE("delete", "order-service", "DELETE", "/orders/{id}"),
  ALLOCATE("allocate", "inventory-service", "POST", "/orders/{id}/allocation"),
  STOCK("stock", "inventory-service", "GET", "/inventory/{sku}"),
  PICK("pick", "warehouse-service", "POST", "/orders/{id}/pick-confirmation"),
  SHIP("ship", "shipping-service", "POST", "/orders/{id}/shipment-confirmation"),
  INVOICE("invoice", "invoicing-service", "POST", "/orders/{id}/invoice");

  private final String wireName;
  private final String service;
  private final String method;
  private final String route;

  Operation(String wireName, String service, String method, String route) {
    this.wireName = wireName;
    this.service = service;
    this.method = method;
    this.route = route;
  }

  /** The name used in fault plans, e.g. {@code allocate}. */
  public String wireName() {
    return wireName;
  }

  /** The OpenTelemetry {@code service.name} of the service that owns this operation. */
  public String service() {
    return service;
  }

  /** The HTTP method of this operation's route. */
  public String method() {
    return method;
  }

  /** The route template, as reported in {@code http.route}. */
  public String route() {
    return route;
  }

  /** Whether it changes state; a read replica (the standby) refuses these. */
  public boolean isWrite() {
    return !"GET".equals(method);
  }

  /** Finds an operation by its wire name. */
  public static Optional<Operation> byWireName(String name) {
    return Arrays.stream(values()).filter(op -> op.wireName.equals(name)).findFirst();
  }
}
