package dev.tandem.server.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code --name value} options after a command; anything else is a usage error. */
final class Args {
  private final Map<String, String> options = new LinkedHashMap<>();

  private Args() {}

  static Args parse(List<String> args, Set<String> allowed) throws UsageException {
    Args out = new Args();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name;
      String value;
      if (a.startsWith("--") && a.contains("=")) {
        name = a.substring(2, a.indexOf('='));
        value = a.substring(a.indexOf('=') + 1);
      } else if (a.startsWith("--")) {
        name = a.substring(2);
        if (i + 1 >= args.size()) {
          throw new UsageException("option --" + name + " needs a value");
        }
        value = args.get(++i);
      } else {
        throw new UsageException("unexpected argument '" + a + "'");
      }
      if (!allowed.contains(name)) {
        throw new UsageException("unknown option --" + name + " (allowed: --" + String.join(", --", allowed) + ")");
      }
      if (out.options.put(name, value) != null) {
        throw new UsageException("option --" + name + " given twice");
      }
    }
    return out;
  }

  Optional<String> get(String name) {
    return Optional.ofNullable(options.get(name));
  }

  String require(String name) throws UsageException {
    String v = options.get(name);
    if (v == null) {
      throw new UsageException("missing required option --" + name);
    }
    return v;
  }

  Optional<Integer> port(String name) throws UsageException {
    Optional<String> v = get(name);
    if (v.isEmpty()) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(v.get());
      if (port < 0 || port > 65_535) {
        throw new NumberFormatException();
      }
      return Optional.of(port);
    } catch (NumberFormatException e) {
      throw new UsageException("--" + name + " must be a port number (0-65535), got '" + v.get() + "'");
    }
  }
}
