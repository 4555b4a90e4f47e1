package io.perennial.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Every command's {@code --help} prints its usage and nothing on stderr: picocli formats each
 * description with {@link String#format}, so a lone {@code %} ("every 10 %") printed a warning.
 */
class HelpTest {

  @Test
  void everyCommandsHelpPrintsUsageWithoutWarnings() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), paths);
    assertThat(paths).as("commands found").hasSizeGreaterThan(15);
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    try {
      for (List<String> path : paths) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        // picocli's tracer writes its warnings to System.err, not to the command line's writer
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        List<String> args = new ArrayList<>(path);
        args.add("--help");
        int code = cli.execute(args.toArray(String[]::new));
        String name = String.join(" ", path);
        assertThat(code).as("exit code of '%s --help'", name).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).as("usage of '%s'", name).contains("Usage: perennial");
        assertThat(err.toString(StandardCharsets.UTF_8)).as("stderr of '%s --help'", name).isEmpty();
        if (name.equals("bench online")) {
          assertThat(out.toString(StandardCharsets.UTF_8)).contains("full retrains every 10 %, on");
        }
      }
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }

  /** {@code ./perennial} alone (and {@code datasets}, {@code bench}) is a mistake, not a success. */
  @ParameterizedTest
  @ValueSource(strings = {"", "datasets", "bench"})
  void aGroupWithoutItsCommandPrintsUsageOnStderrAndExits2(String group) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    String[] args = group.isEmpty() ? new String[0] : new String[] {group};
    assertThat(cli.execute(args)).isEqualTo(Main.USER_ERROR);
    String name = group.isEmpty() ? "perennial" : "perennial " + group;
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith(name + ": missing command\nUsage: " + name + " ")
        .contains("Commands:");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  private static void collect(CommandLine command, List<String> path, List<List<String>> into) {
    if (command.getCommand() instanceof CommandLine.HelpCommand) {
      return;
    }
    into.add(List.copyOf(path));
    for (var sub : command.getSubcommands().entrySet()) {
      if (sub.getValue().getCommandName().equals(sub.getKey())) {
        List<String> deeper = new ArrayList<>(path);
        deeper.add(sub.getKey());
        collect(sub.getValue(), deeper, into);
      }
    }
  }
}
