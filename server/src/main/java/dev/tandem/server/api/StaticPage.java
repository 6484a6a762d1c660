package dev.tandem.server.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * The status page's files (classpath {@code /status/}), read once at start: each with its content
 * type, a strong entity tag over its bytes and a gzip copy. The files are a few kilobytes and
 * never change while the process runs, so they are held in memory and revalidated, not re-read.
 */
final class StaticPage {
  /** The page's files by URL path; {@code /} is the page itself. */
  static final Map<String, String> FILES = Map.of(
      "/", "index.html",
      "/status/status.js", "status.js",
      "/status/status.css", "status.css");
  /**
   * Everything the page needs comes from this origin (no CDN, no fonts): the policy makes the
   * browser refuse anything else, which the browser tests rely on.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  record Asset(String name, String contentType, byte[] plain, byte[] gzip, String etag) {}

  private final Map<String, Asset> assets = new LinkedHashMap<>();

  private StaticPage() {}

  /** Loads every file; fails if one is missing from the build (a packaging bug, found at start). */
  static StaticPage load() {
    StaticPage page = new StaticPage();
    FILES.forEach((url, name) -> page.assets.put(url, asset(name)));
    return page;
  }

  Map<String, Asset> assets() {
    return Map.copyOf(assets);
  }

  private static Asset asset(String name) {
    byte[] plain;
    try (InputStream in = StaticPage.class.getResourceAsStream("/status/" + name)) {
      if (in == null) {
        throw new IllegalStateException("the status page file /status/" + name + " is missing from this build");
      }
      plain = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Asset(name, contentType(name), plain, out.toByteArray(), etag(plain));
  }

  static String contentType(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    return "application/octet-stream";
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Serves the asset for the request's path: 304 on a matching If-None-Match, gzip when accepted. */
  void serve(RoutingContext ctx) {
    Asset a = assets.get(ctx.request().path());
    if (a == null) {
      ctx.next();
      return;
    }
    var response = ctx.response();
    // no-cache = revalidate every time: a restarted, upgraded server is never shown with stale code,
    // and the revalidation costs a 304 of a few bytes.
    response.putHeader("Cache-Control", "no-cache")
        .putHeader("ETag", a.etag())
        .putHeader("Vary", "Accept-Encoding")
        .putHeader("X-Content-Type-Options", "nosniff");
    if (a.name().endsWith(".html")) {
      response.putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
          .putHeader("Referrer-Policy", "no-referrer");
    }
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && (match.contains(a.etag()) || match.trim().equals("*"))) {
      response.setStatusCode(304).end();
      return;
    }
    boolean gzip = acceptsGzip(ctx.request().getHeader("Accept-Encoding"));
    byte[] body = gzip ? a.gzip() : a.plain();
    response.putHeader("Content-Type", a.contentType());
    if (gzip) {
      response.putHeader("Content-Encoding", "gzip");
    }
    if (ctx.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
      response.putHeader("Content-Length", Integer.toString(body.length)).end();
    } else {
      response.end(Buffer.buffer(body));
    }
  }

  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String part : acceptEncoding.toLowerCase(java.util.Locale.ROOT).split(",")) {
      String[] p = part.trim().split(";");
      if (p[0].trim().equals("gzip")) {
        for (int i = 1; i < p.length; i++) {
          String q = p[i].trim();
          if (q.startsWith("q=")) {
            try {
              return Double.parseDouble(q.substring(2)) > 0;
            } catch (NumberFormatException e) {
              return false;
            }
          }
        }
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    assets.values().forEach(a -> b.append(a.name()).append(' ').append(a.plain().length).append(" B (gzip ")
        .append(a.gzip().length).append(" B) "));
    return b.toString().trim();
  }
}
