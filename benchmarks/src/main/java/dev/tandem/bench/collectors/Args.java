package dev.tandem.bench.collectors;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} pairs over defaults; an unknown name is an error, as in Tandem's config. */
final class Args {

  private Args() {}

  static Map<String, String> parse(String[] args, Map<String, String> defaults) {
    Map<String, String> values = new HashMap<>(defaults);
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].startsWith("--") ? args[i].substring(2) : null;
      if (name == null || !defaults.containsKey(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException("usage: --name value, names " + defaults.keySet() + "; got " + args[i]);
      }
      values.put(name, args[i + 1]);
    }
    return values;
  }
}
