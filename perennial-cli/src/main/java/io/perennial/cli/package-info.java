/**
 * The {@code perennial} command. Thin: it parses arguments (picocli), calls the core, and renders
 * tables, progress and reports. User mistakes end in a one-line message and a non-zero exit.
 */
package io.perennial.cli;
