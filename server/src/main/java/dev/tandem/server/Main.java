package dev.tandem.server;

import dev.tandem.server.cli.Cli;

/** {@code java -jar tandem.jar <command>}: see {@link Cli}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code = new Cli(System.out, System.err, System::getenv).run(args);
    if (code != Cli.KEEP_RUNNING) {
      System.exit(code);
    }
  }
}
