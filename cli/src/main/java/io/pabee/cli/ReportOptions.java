package io.pabee.cli;

import io.pabee.bench.JsonLines;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import picocli.CommandLine.Option;

/** How a benchmark reports its rows: a table, or JSON lines with {@code --json}; {@code --report} also writes them. */
final class ReportOptions {
    @Option(names = "--json", description = "One JSON object per row instead of a table.")
    boolean json;

    @Option(names = "--report", description = "Also write the rows as JSON lines to this file (bench e2e: the report directory, "
            + "default reports/e2e; bench adaptive: a directory for report.md, samples.csv, plots and adaptive.jsonl).")
    Path report;

    /** Writes the rows to {@code --report}, then prints them as JSON lines or with {@code table}. */
    void print(PrintWriter out, List<Map<String, Object>> rows, Consumer<PrintWriter> table) throws IOException {
        print(out, rows, report, table);
    }

    /** Writes the rows to {@code file} (when not null), then prints them as JSON lines or with {@code table}. */
    void print(PrintWriter out, List<Map<String, Object>> rows, Path file, Consumer<PrintWriter> table) throws IOException {
        String lines = JsonLines.write(rows, file);
        if (json) {
            out.print(lines);
        } else {
            table.accept(out);
        }
        out.flush();
    }
}
