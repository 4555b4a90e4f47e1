package io.perennial.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.perennial.data.Ids;
import io.perennial.server.PerennialServer;
import io.perennial.server.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code perennial forget}: a deletion request against a data directory no server is running on. */
@Command(name = "forget", mixinStandardHelpOptions = true,
    description = {"Forget a user in a data directory (no server may be running on it; a running server takes "
        + "DELETE /v1/users/{id}): their events leave the store in one transaction, every model checkpoint holding "
        + "them is rewritten without them or deleted, and an audit record (pseudonymised) is written.",
        "Prints the report as JSON: events removed, each checkpoint's fate and the unlearning guarantee."})
final class ForgetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The server's data directory.")
  Path dataDir;

  @Option(names = "--user", required = true, paramLabel = "ID", description = "The user to forget.")
  String user;

  @Override
  public Integer call() throws Exception {
    String problem = Ids.problem(user);
    if (problem != null) {
      throw new UserException("--user: " + problem);
    }
    if (!Files.isDirectory(dataDir) || !Files.exists(dataDir.resolve("perennial.db"))) {
      throw new UserException("--data-dir: " + dataDir + " is not a Perennial data directory (no perennial.db)");
    }
    ObjectNode report;
    try {
      report = PerennialServer.forgetOffline(dataDir, user);
    } catch (StoreException e) {
      throw new UserException("--data-dir: " + e.getMessage()
          + (e.getMessage().contains("in use") || e.getMessage().contains("already open")
              ? "; while a server runs, use DELETE /v1/users/{id}" : ""));
    }
    spec.commandLine().getOut().println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
    return 0;
  }
}
