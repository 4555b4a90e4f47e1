package io.perennial;

import static org.assertj.core.api.Assertions.assertThat;

import io.perennial.data.SyntheticConfig;
import io.perennial.data.SyntheticGenerator;
import io.perennial.model.Algorithms;
import io.perennial.model.Recommendations;
import io.perennial.model.Recommender;
import io.perennial.store.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use as a library" example, exactly as written there: extracted, compiled against
 * this module's classpath, run, and its saved model read back.
 */
class LibraryExampleTest {

  private static final String HEADING = "## Use as a library";

  @TempDir static Path dir;
  private static Path classes;
  private static String className;

  private static Path readme() {
    Path besideModule = Path.of("..", "README.md");
    return Files.exists(besideModule) ? besideModule
        : Path.of(System.getProperty("perennial.root", "."), "README.md");
  }

  /** The fenced block of {@code language} in the README's library section. */
  private static String block(String language) throws IOException {
    String readme = Files.readString(readme());
    int section = readme.indexOf("\n" + HEADING + "\n");
    assertThat(section).as("README section '" + HEADING + "'").isNotNegative();
    int next = readme.indexOf("\n## ", section + 1);
    String body = readme.substring(section, next < 0 ? readme.length() : next);
    Matcher fence = Pattern.compile("```" + language + "\n(.*?)\n```", Pattern.DOTALL).matcher(body);
    assertThat(fence.find()).as("a ```" + language + " block under '" + HEADING + "'").isTrue();
    return fence.group(1);
  }

  @BeforeAll
  static void compileTheExample() throws IOException {
    String source = block("java");
    Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
    assertThat(name.find()).as("the example declares a public class").isTrue();
    className = name.group(1);
    Path sources = Files.createDirectories(dir.resolve("src"));
    Path file = Files.writeString(sources.resolve(className + ".java"), source);
    classes = Files.createDirectories(dir.resolve("classes"));

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    StringWriter log = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
      boolean compiled = javac.getTask(log, files, diagnostics,
          List.of("--release", "17", "-Xlint:all,-path", "-classpath", classpath(), "-d", classes.toString()),
          null, files.getJavaFileObjectsFromPaths(List.of(file))).call();
      List<String> problems = new ArrayList<>();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() != Diagnostic.Kind.NOTE) {
          problems.add(d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(null));
        }
      }
      assertThat(problems).as("javac on the README example\n" + log).isEmpty();
      assertThat(compiled).isTrue();
    }
  }

  /**
   * The test classpath; surefire may hand the JVM a manifest-only jar, so the entries of its
   * Class-Path are listed too (javac reads them, but not relative to every working folder).
   */
  private static String classpath() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
        try (var jar = new java.util.jar.JarFile(entry)) {
          String manifestPath = jar.getManifest() == null ? null
              : jar.getManifest().getMainAttributes().getValue("Class-Path");
          if (manifestPath != null) {
            for (String url : manifestPath.trim().split("\\s+")) {
              try {
                entries.add(Path.of(new URL(Path.of(entry).toUri().toURL(), url).toURI()).toString());
              } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                // not a file entry: nothing to add
              }
            }
          }
        }
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /** Runs the compiled example's main in this JVM and returns what it printed. */
  private static String runInProcess(String... args) throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        LibraryExampleTest.class.getClassLoader())) {
      Method main = loader.loadClass(className).getMethod("main", String[].class);
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) args);
    } finally {
      System.setOut(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theExampleTrainsRecommendsAndSavesAModel() throws Exception {
    Path model = dir.resolve("synthetic.pmdl");
    List<String> lines = runInProcess(model.toString()).lines().toList();
    // Surefire starts this JVM with --add-modules jdk.incubator.vector.
    assertThat(lines.get(0)).startsWith("kernels: vector(");
    assertThat(lines).hasSize(7);
    List<String> printed = new ArrayList<>();
    for (String line : lines.subList(1, 6)) {
      assertThat(line).matches("u\\d+ i\\d+ -?\\d+\\.\\d{4}");
      printed.add(line.split(" ")[1]);
    }
    assertThat(printed).doesNotHaveDuplicates();
    assertThat(lines.get(6)).isEqualTo("wrote " + model);

    Checkpoint saved = Checkpoint.read(model);
    assertThat(saved.state().type()).isEqualTo("ials");
    assertThat(saved.provenance().dataSource()).isEqualTo("example");
    Recommender restored = Algorithms.restore(saved.state());
    String user = lines.get(1).split(" ")[0];
    Recommendations again = restored.recommend(saved.users().indexOf(user), 5, true, null);
    List<String> restoredIds = new ArrayList<>();
    for (int id : again.ids()) {
      restoredIds.add(saved.items().idOf(id));
    }
    assertThat(restoredIds).isEqualTo(printed);
  }

  @Test
  void theExampleReadsAMovieLensRatingsFileForAGivenUser() throws Exception {
    Path ratings = dir.resolve("ratings.csv");
    StringBuilder csv = new StringBuilder("userId,movieId,rating,timestamp\n");
    new SyntheticGenerator(SyntheticConfig.defaults().withEvents(5_000).withRatings(true).withSize(200, 150))
        .forEachRemaining(e -> csv.append(e.user()).append(',').append(e.item()).append(',')
            .append(e.value()).append(',').append(e.timestamp()).append('\n'));
    Files.writeString(ratings, csv);
    Path model = dir.resolve("movielens.pmdl");
    List<String> lines = runInProcess(model.toString(), ratings.toString(), "17").lines().toList();
    assertThat(lines.subList(1, 6)).allSatisfy(line -> assertThat(line).matches("17 \\d+ -?\\d+\\.\\d{4}"));
    assertThat(Checkpoint.read(model).provenance().interactions()).isPositive();
  }

  @Test
  void withoutTheVectorModuleTheExampleRunsOnTheScalarKernels() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path model = dir.resolve("scalar.pmdl");
    Process process = new ProcessBuilder(java.toString(), "-cp", classes + File.pathSeparator + classpath(),
        className, model.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines.get(0)).isEqualTo("kernels: scalar");
    assertThat(lines.subList(1, 6)).allSatisfy(line -> assertThat(line).matches("u\\d+ i\\d+ -?\\d+\\.\\d{4}"));
    assertThat(model).exists();
  }

  @Test
  void theMavenCoordinatesAreThisBuilds() throws IOException {
    String dependency = block("xml");
    String pom = Files.readString(readme().resolveSibling("perennial-core").resolve("pom.xml"));
    Matcher parentVersion = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
    assertThat(parentVersion.find()).isTrue();
    assertThat(dependency).contains("<groupId>io.perennial</groupId>")
        .contains("<artifactId>perennial-core</artifactId>")
        .contains("<version>" + parentVersion.group(1) + "</version>");
  }
}
