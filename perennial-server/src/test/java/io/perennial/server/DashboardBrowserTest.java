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
 * page loads with a read key, every chart is drawn with data from the live server, and the latency
 * chart has a legend and a y axis that a warm-up spike does not flatten.
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
        assertLatencyChartHasALegendAndARobustScale(js);
        assertThat(browser.findElements(By.cssSelector("#versions tbody tr"))).isNotEmpty();
        assertThat(browser.findElement(By.id("live-version")).getText()).startsWith("v");
        assertThat(browser.findElement(By.id("retention")).getText()).isEqualTo("forever");
        assertThat(browser.findElement(By.id("oldest-event")).getText()).matches("\\d{4}-\\d{2}-\\d{2}");
        assertThat(browser.findElement(By.id("last-purge")).getText()).isEqualTo("none yet");
        assertThat(browser.findElement(By.id("status")).getText()).startsWith("updated");
        // The screenshot shows the latency chart with the spike, for a person to look at.
        js.executeScript("perennialDashboard.showLatency(arguments[0], arguments[1], arguments[2]);"
            + "perennialDashboard.charts.latency.update();", LABELS, SPIKE_P99, SPIKE_P50);
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

  private static final List<String> LABELS = List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
  /** A warm-up spike in the first window, then steady latencies of 2-3 ms. */
  private static final List<Double> SPIKE_P99 = List.of(250.0, 3.1, 2.4, 2.9, 3.3, 2.7, 2.2, 3.0, 2.8, 2.6);
  private static final List<Double> SPIKE_P50 = List.of(40.0, 1.1, 0.9, 1.0, 1.2, 1.0, 0.8, 1.1, 1.0, 0.9);
  private static final List<Double> STEADY_P99 = List.of(3.1, 2.4, 2.9, 3.3, 2.7, 2.2, 3.0, 2.8, 2.6, 3.2);

  /**
   * The latency chart names its series in a legend, and a warm-up spike does not set the scale:
   * the axis stops near the steady values and the spike is marked as above it.
   */
  @SuppressWarnings("unchecked")
  private static void assertLatencyChartHasALegendAndARobustScale(JavascriptExecutor js) {
    // Read back in the same script that sets the data, so the page's own refresh cannot interleave.
    String readBack = "const c = Chart.getChart('chart-latency'); c.update();"
        + "return {legend: c.options.plugins.legend.display, legendHeight: c.legend.height,"
        + " labels: c.legend.legendItems.map(i => i.text), max: c.scales.y.max,"
        + " clipped: c.data.datasets[2].data.map((v, i) => v === null ? null : i).filter(i => i !== null),"
        + " clippedAt: c.data.datasets[2].data.filter(v => v !== null),"
        + " caption: document.getElementById('latency-clipped').textContent};";
    Map<String, Object> live = (Map<String, Object>) js.executeScript(readBack);
    assertThat(live.get("legend")).as("latency legend shown").isEqualTo(true);
    assertThat(((Number) live.get("legendHeight")).doubleValue()).as("legend drawn").isPositive();
    assertThat((List<String>) live.get("labels")).contains("p99 ms", "p50 ms");

    Map<String, Object> spike = (Map<String, Object>) js.executeScript(
        "perennialDashboard.showLatency(arguments[0], arguments[1], arguments[2]);" + readBack,
        LABELS, SPIKE_P99, SPIKE_P50);
    double max = ((Number) spike.get("max")).doubleValue();
    assertThat(max).as("y axis under the spike, above every steady value").isBetween(3.3, 10.0);
    assertThat((List<Object>) spike.get("clipped")).as("points marked above the scale").containsExactly(0L);
    assertThat(((List<Number>) spike.get("clippedAt")).get(0).doubleValue()).isEqualTo(max);
    assertThat((List<String>) spike.get("labels")).containsExactly("p99 ms", "p50 ms", "p99 above the scale");
    assertThat((String) spike.get("caption")).contains("1 point above the scale, up to 250.0 ms");

    Map<String, Object> steady = (Map<String, Object>) js.executeScript(
        "perennialDashboard.showLatency(arguments[0], arguments[1], arguments[1]);" + readBack, LABELS, STEADY_P99);
    assertThat(((Number) steady.get("max")).doubleValue()).as("no outlier: the axis fits the data")
        .isGreaterThanOrEqualTo(3.3);
    assertThat((List<Object>) steady.get("clipped")).isEmpty();
    assertThat((List<String>) steady.get("labels")).containsExactly("p99 ms", "p50 ms");
    assertThat((String) steady.get("caption")).isEmpty();
  }
}
