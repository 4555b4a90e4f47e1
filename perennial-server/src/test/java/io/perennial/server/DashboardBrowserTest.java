package io.perennial.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser (Debian's chromium and chromium-driver, driven by Selenium): the
 * page loads with a read key, and every chart is drawn with data from the live server.
 *
 * <p>Without a browser the test is skipped on a developer machine, but fails where
 * {@code PERENNIAL_BROWSER_TESTS=required} (set by {@code .ci/run}, which installs the browser).
 */
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;

  @Test
  void chartsRenderWithDataFromTheServer() throws Exception {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present) {
      if ("required".equals(System.getenv("PERENNIAL_BROWSER_TESTS"))) {
        fail("PERENNIAL_BROWSER_TESTS=required but " + CHROMIUM + " or " + CHROMEDRIVER + " is missing "
            + "(apt-get install chromium chromium-driver)");
      }
      Assumptions.abort("no chromium/chromedriver on this machine");
    }
    try (PerennialServer server = TestServers.start(dir.resolve("data"), "online", 60_000)) {
      TestServers.awaitReady(server);
      // Steady traffic while the page is open, so every sampled window has ingest and latency.
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      Thread traffic = new Thread(() -> {
        for (int i = 0; !stop.get(); i++) {
          TestServers.call(server, "POST", "/v1/events", TestServers.INGEST,
              "[{\"user\":\"u" + (i % 300) + "\",\"item\":\"i" + (i * 7 % 400) + "\",\"type\":\"click\",\"timestamp\":1700000000}]");
          TestServers.call(server, "GET", "/v1/users/u" + (i % 300) + "/recommendations?k=5", TestServers.READ, null);
          try {
            Thread.sleep(50);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "dashboard-traffic");
      traffic.start();
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--disable-dev-shm-usage", "--window-size=1280,1000",
          "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
      ChromeDriver browser = new ChromeDriver(service, options);
      try {
        browser.get("http://127.0.0.1:" + server.port() + "/#key=" + TestServers.READ);
        JavascriptExecutor js = browser;
        // The page refreshes every 5 s and the server samples its series every 5 s: wait until every
        // chart has two points with values, enough to draw a line.
        new WebDriverWait(browser, Duration.ofSeconds(90)).until(d -> {
          Object points = js.executeScript(
              "return ['chart-hr', 'chart-ingest', 'chart-lag', 'chart-latency'].map(id => Chart.getChart(id))"
                  + ".map(c => c ? c.data.datasets[0].data.filter(v => v !== null && v !== undefined).length : 0)"
                  + ".reduce((a, b) => Math.min(a, b), 99);");
          return "true".equals(browser.findElement(By.tagName("body")).getAttribute("data-loaded"))
              && ((Number) points).intValue() >= 2;
        });
        stop.set(true);
        for (String id : List.of("chart-hr", "chart-ingest", "chart-lag", "chart-latency")) {
          @SuppressWarnings("unchecked")
          Map<String, Object> chart = (Map<String, Object>) js.executeScript(
              "const canvas = document.getElementById(arguments[0]);"
                  + "const chart = Chart.getChart(canvas);"
                  + "const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;"
                  + "let inked = 0; for (let i = 3; i < px.length; i += 4) { if (px[i] > 0) inked++; }"
                  + "const values = chart.data.datasets[0].data.filter(v => v !== null && v !== undefined);"
                  + "return {width: canvas.width, height: canvas.height, inked: inked, values: values.length,"
                  + " finite: values.every(v => Number.isFinite(v))};", id);
          assertThat(((Number) chart.get("width")).intValue()).as(id + " width").isPositive();
          assertThat(((Number) chart.get("height")).intValue()).as(id + " height").isPositive();
          assertThat(((Number) chart.get("values")).intValue()).as(id + " data points").isGreaterThanOrEqualTo(2);
          assertThat(chart.get("finite")).as(id + " values are numbers").isEqualTo(true);
          assertThat(((Number) chart.get("inked")).intValue()).as(id + " drawn pixels").isGreaterThan(500);
        }
        assertThat(browser.findElements(By.cssSelector("#versions tbody tr"))).isNotEmpty();
        assertThat(browser.findElement(By.id("live-version")).getText()).startsWith("v");
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("updated");
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target", "dashboard.png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } finally {
        stop.set(true);
        traffic.join();
        browser.quit();
      }
    }
  }
}
