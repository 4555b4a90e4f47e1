package io.perennial.cli;

import io.perennial.model.EpochReport;
import io.perennial.model.TrainingListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on an interactive terminal (one line rewritten in place), silence when output is piped
 * or redirected, so logs and scripts get only results.
 */
final class Terminal {

  private Terminal() {}

  /** True when stdout is a terminal and {@code PERENNIAL_PROGRESS} does not turn progress off. */
  static boolean interactive() {
    String forced = System.getenv("PERENNIAL_PROGRESS");
    if (forced != null) {
      return forced.equals("1") || forced.equalsIgnoreCase("true");
    }
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    // From JDK 22 System.console() is non-null even when output is piped; isTerminal() tells.
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  static TrainingListener progress(PrintStream out) {
    if (!interactive()) {
      return TrainingListener.silent();
    }
    return new TrainingListener() {
      @Override
      public boolean showsLoss() {
        return true;
      }

      @Override
      public void onEpoch(String model, EpochReport r) {
        String line = String.format(Locale.ROOT,
            "\r%-8s epoch %d/%d  loss %s  %s ev/s  %.1fs  ETA %s%s",
            model, r.epoch(), r.totalEpochs(), Double.isNaN(r.loss()) ? "-" : String.format(Locale.ROOT, "%.4f", r.loss()),
            human(r.eventsPerSecond()), r.elapsedSeconds(),
            Double.isNaN(r.etaSeconds()) ? "-" : String.format(Locale.ROOT, "%.0fs", r.etaSeconds()),
            Double.isNaN(r.validation()) ? "" : String.format(Locale.ROOT, "  val %.4f", r.validation()));
        out.print(line + "   ");
        if (r.epoch() == r.totalEpochs()) {
          out.print("\r" + " ".repeat(line.length() + 3) + "\r");
        }
        out.flush();
      }

      @Override
      public void onEarlyStop(String model, int bestEpoch, double best) {
        out.printf(Locale.ROOT, "\r%-8s stopped early; kept epoch %d (val %.4f)%n", model, bestEpoch, best);
      }
    };
  }

  /** Progress of an encoding run: each "epoch" the encoder reports is one batch of texts. */
  static TrainingListener encodingProgress(PrintStream out) {
    if (!interactive()) {
      return TrainingListener.silent();
    }
    return (what, r) -> {
      String line = String.format(Locale.ROOT, "\r%-8s batch %d/%d  %s texts/s  %.1fs  ETA %s", what, r.epoch(),
          r.totalEpochs(), human(r.eventsPerSecond()), r.elapsedSeconds(),
          Double.isNaN(r.etaSeconds()) ? "-" : String.format(Locale.ROOT, "%.0fs", r.etaSeconds()));
      out.print(line + "   ");
      if (r.epoch() == r.totalEpochs()) {
        out.print("\r" + " ".repeat(line.length() + 3) + "\r");
      }
      out.flush();
    };
  }

  static String human(double perSecond) {
    if (perSecond >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", perSecond / 1e6);
    }
    if (perSecond >= 1e3) {
      return String.format(Locale.ROOT, "%.1fk", perSecond / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", perSecond);
  }
}
