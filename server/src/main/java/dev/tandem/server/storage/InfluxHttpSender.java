package dev.tandem.server.storage;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBException;
import org.influxdb.InfluxDBFactory;
import org.influxdb.InfluxDBIOException;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;

/**
 * Writes line protocol through the official client ({@code org.influxdb:influxdb-java}, the 1.x
 * HTTP API that every InfluxDB generation serves) and sorts each answer into ok, rejected or retry.
 *
 * <p>Credentials in the URL ({@code http://user:password@host:8086}) are taken out of it and sent
 * as basic authentication; neither the URL with them nor the password ever reaches a log line or
 * an error message (see {@link #redact(String)}).
 *
 * <p>The database is created ({@code CREATE DATABASE}, which is idempotent) before the first
 * write and again whenever a write answers "database not found": a database that was absent or
 * unreachable at start-up, or dropped later, is created when the server answers.
 *
 * <p>Used by one writer thread only: the HTTP status of the last answer is read from an OkHttp
 * interceptor, because the client's exceptions do not carry it.
 */
final class InfluxHttpSender implements LineSender {
  private final InfluxDB influx;
  private final String database;
  private final String endpoint;
  private final String password;
  private volatile int lastStatus = -1;
  private boolean databaseReady;

  private InfluxHttpSender(String url, String database) {
    URI uri = URI.create(url);
    String user = null;
    String pass = null;
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon), StandardCharsets.UTF_8);
      pass = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1), StandardCharsets.UTF_8);
    }
    String base = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
    this.endpoint = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    this.password = pass;
    this.database = database;
    OkHttpClient.Builder http = new OkHttpClient.Builder()
        .connectTimeout(5, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS)
        .writeTimeout(30, TimeUnit.SECONDS)
        .addInterceptor(chain -> {
          Response r = chain.proceed(chain.request());
          lastStatus = r.code();
          return r;
        });
    this.influx = user == null ? InfluxDBFactory.connect(base, http) : InfluxDBFactory.connect(base, user, pass, http);
  }

  static InfluxHttpSender create(String url, String database) {
    if (database == null || database.isBlank()) {
      throw new IllegalArgumentException("InfluxDB database name must not be blank");
    }
    return new InfluxHttpSender(url, database);
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public Result write(List<String> lines) {
    if (!databaseReady) {
      Result created = createDatabase();
      if (created.kind() != Kind.OK) {
        return created;
      }
    }
    Result r = send(lines);
    if (r == NO_DATABASE) {
      databaseReady = false;
      Result created = createDatabase();
      return created.kind() != Kind.OK ? created : send(lines);
    }
    return r;
  }

  private static final Result NO_DATABASE = new Result(Kind.RETRY, "database not found");

  private Result send(List<String> lines) {
    lastStatus = -1;
    try {
      influx.write(database, null, InfluxDB.ConsistencyLevel.ONE, TimeUnit.NANOSECONDS, lines);
      return Result.OK;
    } catch (InfluxDBIOException e) {
      return new Result(Kind.RETRY, "unreachable: " + redact(String.valueOf(e.getMessage())));
    } catch (InfluxDBException.DatabaseNotFoundException e) {
      return NO_DATABASE;
    } catch (RuntimeException e) {
      return classify(lastStatus, redact(String.valueOf(e.getMessage())));
    }
  }

  /** 400 and 413 are about the batch; everything else (auth, 404, 429, 5xx, no answer) may pass. */
  static Result classify(int status, String message) {
    if (status == 404 && message.contains("database not found")) {
      return NO_DATABASE;
    }
    if (status == 400 || status == 413) {
      return new Result(Kind.REJECTED, "HTTP " + status + ": " + message);
    }
    return new Result(Kind.RETRY, (status < 0 ? "no answer" : "HTTP " + status) + ": " + message);
  }

  private Result createDatabase() {
    lastStatus = -1;
    try {
      QueryResult r = influx.query(new Query("CREATE DATABASE \"" + database.replace("\\", "\\\\").replace("\"", "\\\"")
          + "\""));
      if (r.hasError()) {
        return new Result(Kind.RETRY, "CREATE DATABASE: " + redact(r.getError()));
      }
      databaseReady = true;
      return Result.OK;
    } catch (InfluxDBIOException e) {
      return new Result(Kind.RETRY, "unreachable: " + redact(String.valueOf(e.getMessage())));
    } catch (RuntimeException e) {
      // Whatever the status: a database that cannot be created now is retried with backoff.
      return new Result(Kind.RETRY, "CREATE DATABASE: HTTP " + lastStatus + ": " + redact(String.valueOf(e.getMessage())));
    }
  }

  /** Removes the password (and any {@code user:password@} in a URL) from a message. */
  String redact(String message) {
    String m = message.replaceAll("//[^/@\\s]*@", "//");
    return password == null || password.isEmpty() ? m : m.replace(password, "***");
  }

  @Override
  public void close() {
    influx.close();
  }
}
