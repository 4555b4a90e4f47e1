package io.perennial.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.perennial.data.DataFormatException;
import io.perennial.data.DatasetFetcher;
import io.perennial.store.CheckpointException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code perennial} command. */
@Command(
    name = "perennial",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "A continual-learning recommender engine.",
    subcommands = {
      QuickstartCommand.class,
      DatasetsCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      RecipesCommand.class,
      SimulateCommand.class,
      RecommendCommand.class,
      ExportCommand.class,
      ForgetCommand.class,
      PruneCommand.class,
      ServeCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Callable<Integer> {

  /** Exit code for a user mistake (bad flag, missing file, malformed data, corrupt model). */
  public static final int USER_ERROR = 2;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return missingSubcommand(spec);
  }

  /**
   * A command that only groups others, run without one: names the mistake and prints the usage,
   * both on stderr, and exits with {@link #USER_ERROR} (a script must not take it for success).
   */
  static int missingSubcommand(CommandLine.Model.CommandSpec spec) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName() + ": missing command");
    spec.commandLine().usage(err);
    return USER_ERROR;
  }

  public static void main(String[] args) {
    // Libraries that log through java.util.logging (jvector) go to the same place as ours.
    org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
    org.slf4j.bridge.SLF4JBridgeHandler.install();
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (for tests). */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(Main::handle);
    cli.setParameterExceptionHandler((ex, a) -> {
      PrintWriter err = ex.getCommandLine().getErr();
      err.println("perennial: " + ex.getMessage());
      err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      return USER_ERROR;
    });
    return cli;
  }

  private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    PrintWriter err = cli.getErr();
    if (e instanceof UserException
        || e instanceof DataFormatException
        || e instanceof CheckpointException
        || e instanceof io.perennial.server.store.StoreException
        || e instanceof DatasetFetcher.FetchException
        || e instanceof IllegalArgumentException
        || e instanceof JsonProcessingException) {
      err.println("perennial: error: " + e.getMessage());
      return USER_ERROR;
    }
    if (e instanceof UncheckedIOException io) {
      err.println("perennial: error: " + io.getMessage());
      return USER_ERROR;
    }
    err.println("perennial: internal error: " + e);
    e.printStackTrace(err);
    return 1;
  }

  /** Reports the version from the jar manifest, or "development". */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"perennial " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
